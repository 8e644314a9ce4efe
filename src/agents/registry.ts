import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/schema.js';
import { UsageError } from '../support/usage-error.js';
import { aider } from './adapters/aider.js';
import { claude } from './adapters/claude.js';
import { codex } from './adapters/codex.js';
import { command } from './adapters/command.js';
import type { AgentAdapter } from './contract.js';
import { gemini } from './adapters/gemini.js';
import { llm } from './adapters/llm.js';
import { opencode } from './adapters/opencode.js';

export const BACKENDS: Record<string, AgentAdapter> = { claude, codex, opencode, gemini, llm, aider, command };

const PACKAGE_BIN = fileURLToPath(new URL('../../node_modules/.bin', import.meta.url));
/** The project-local Python venvs `npm run setup` makes for the PyPI CLIs (their dependencies conflict). */
const PYTHON_BINS = ['llm', 'aider'].map((v) => fileURLToPath(new URL(`../../.tools/${v}/bin`, import.meta.url)));

export function adapterFor(name: string): AgentAdapter {
  const adapter = BACKENDS[name];
  if (!adapter) throw new UsageError(`backend: unknown backend "${name}" (known: ${Object.keys(BACKENDS).join(', ')})`);
  return adapter;
}

/** The executable for a backend: config.command, then PATH, then nightshift's own node_modules/.bin. */
export function resolveCommand(name: string, config: Config, env = process.env): string {
  const adapter = adapterFor(name);
  const configured = config.backends[name]?.command;
  const wanted = configured ?? adapter.defaultCommand;
  if (wanted.includes('/')) {
    if (existsSync(wanted)) return wanted;
    throw new UsageError(`backends.${name}.command: not found: "${wanted}"`);
  }
  const dirs = [...(env['PATH'] ?? '').split(delimiter).filter(Boolean), PACKAGE_BIN, ...PYTHON_BINS];
  for (const dir of dirs) if (existsSync(join(dir, wanted))) return join(dir, wanted);
  throw new UsageError(
    `backend: the ${name} CLI "${wanted}" is not installed (not on PATH nor in ${PACKAGE_BIN}); run \`npm run setup\` or set backends.${name}.command`,
  );
}
