import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentAdapter } from './contract.js';

/**
 * Writes the portable instructions under the name this backend reads (CLAUDE.md, AGENTS.md, GEMINI.md,
 * CONVENTIONS.md). A file the repo already has is left alone: the repo's own instructions win.
 * Returns the relative path written, so it is not counted as a change by the agent.
 */
export async function writeInstructions(
  adapter: AgentAdapter,
  workspace: string,
  text: string | undefined,
): Promise<string | undefined> {
  if (!text || !adapter.instructionsFile) return undefined;
  const path = join(workspace, adapter.instructionsFile);
  if (existsSync(path)) return undefined;
  await writeFile(path, text.endsWith('\n') ? text : `${text}\n`);
  return adapter.instructionsFile;
}
