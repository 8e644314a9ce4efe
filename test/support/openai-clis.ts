// Config that points the real `codex` and `opencode` CLIs at scripted OpenAI servers, with a private HOME per worker.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatBody } from '../../src/dev/scripted-model/openai-chat.js';

const home = (name: string): string => mkdtempSync(join(tmpdir(), `nightshift-${name}-home-`));

export function codexBackend(url: string, apiKey: string) {
  return { baseUrl: `${url}/v1`, model: 'scripted', env: { HOME: home('codex'), OPENAI_API_KEY: apiKey } };
}

/** Private HOME and XDG dirs. The config dir is marked as having opencode's plugin package installed,
 *  so opencode does not fetch @opencode-ai/plugin from npm in the background on every run. */
export function opencodeBackend(url: string, apiKey: string) {
  const dir = home('opencode');
  const configDir = join(dir, '.config', 'opencode');
  mkdirSync(join(configDir, 'node_modules'), { recursive: true });
  const deps = { '@opencode-ai/plugin': '*' };
  writeFileSync(join(configDir, 'package.json'), JSON.stringify({ dependencies: deps }));
  writeFileSync(
    join(configDir, 'package-lock.json'),
    JSON.stringify({ lockfileVersion: 3, packages: { '': { dependencies: deps } } }),
  );
  const xdg = {
    XDG_CONFIG_HOME: join(dir, '.config'),
    XDG_DATA_HOME: join(dir, '.local/share'),
    XDG_CACHE_HOME: join(dir, '.cache'),
    XDG_STATE_HOME: join(dir, '.local/state'),
  };
  return { baseUrl: `${url}/v1`, model: 'scripted', env: { HOME: dir, ...xdg, OPENAI_API_KEY: apiKey } };
}

/** The workspace opencode states in its system prompt ("Working directory: …"). */
export const opencodeWorkingDirectory = (body: ChatBody): string | undefined =>
  (body.messages ?? [])
    .map((m) => /Working directory: (.+)/.exec(typeof m.content === 'string' ? m.content : '')?.[1])
    .find(Boolean);
