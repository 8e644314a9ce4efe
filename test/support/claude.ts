// Config that points the real `claude` CLI at a scripted model server (through the documented
// `backends.claude.baseUrl`, not an env var), with a private HOME per run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FAKE_KEY = 'sk-ant-test-0123456789abcdefSECRET';

export function claudeBackend(url: string, extraEnv: Record<string, string> = {}) {
  const home = mkdtempSync(join(tmpdir(), 'nightshift-claude-home-'));
  return { baseUrl: url, env: { HOME: home, ANTHROPIC_API_KEY: FAKE_KEY, ...extraEnv } };
}
