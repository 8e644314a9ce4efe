// One runner for every agent CLI and every check: its environment cut to its own keys, and under bwrap its
// file system cut to its workspace, its state dir and a private /tmp.
import { existsSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Invocation } from '../agents/contract.js';
import type { Config } from '../config/schema.js';
import { bwrapArgs } from './bwrap-args.js';
import { bwrapPath, type SandboxMode } from './detect.js';
import { sandboxEnv } from './env.js';
import { gitBinds } from './git-binds.js';

/** nightshift's own install (its node_modules/.bin and .tools hold the CLIs): readable even inside a hidden home. */
const INSTALL_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

export interface SandboxRequest {
  mode: SandboxMode;
  invocation: Invocation;
  /** The workspace: the cwd, writable. */
  cwd: string;
  /** Worker variables (by name prefix) this process may see: its CLI's own keys. None for a check. */
  own: readonly string[];
  /** The CLI's state dir (writable); its `home` is HOME inside. A check: `<dataDir>/check-home`. */
  stateDir: string;
  network: boolean;
  config: Config;
}

export async function sandboxed(r: SandboxRequest): Promise<Invocation> {
  const inv = r.invocation;
  if (r.mode === 'off') return { ...inv, env: sandboxEnv({ worker: process.env, own: r.own, set: inv.env }) };
  const home = inv.env['HOME'] ?? join(r.stateDir, 'home'); // a HOME in the backend's config env is its home
  const homes = [home, ...stateEnv(inv.env)];
  await Promise.all(homes.map((d) => mkdir(d, { recursive: true })));
  const git = await gitBinds(r.cwd);
  const hidden = ['/tmp', homedir(), '/root', '/home', r.config.dataDir].filter((d) => existsSync(d) || d === '/tmp');
  const plan = {
    cwd: r.cwd,
    hidden: [...new Set(hidden)],
    readOnly: [INSTALL_ROOT, ...commandDirs(inv.command, hidden), ...git.readOnly, ...r.config.sandbox.readOnly],
    writable: [r.cwd, r.stateDir, ...homes, ...git.writable, ...r.config.sandbox.writable],
    network: r.network,
  };
  const env = sandboxEnv({ worker: process.env, own: r.own, set: { TMPDIR: '/tmp', ...inv.env }, home });
  return { command: bwrapPath(), args: [...bwrapArgs(plan), inv.command, ...inv.args], env };
}

/** Where the config env puts a CLI's own state (its homes, XDG dirs): writable like its state dir. */
const STATE_VARS = /^(CODEX_HOME|GEMINI_CLI_HOME|LLM_USER_PATH|XDG_(CONFIG|DATA|STATE|CACHE)_HOME)$/;
const stateEnv = (env: Record<string, string>): string[] =>
  Object.entries(env)
    .filter(([k, v]) => STATE_VARS.test(k) && v.startsWith('/'))
    .map(([, v]) => v);

/** A CLI installed inside a hidden dir (~/.local/bin/x → ~/.local/lib/…/x.js): its launcher's and its real dir. */
function commandDirs(command: string, hidden: string[]): string[] {
  const inside = (p: string): boolean => hidden.some((h) => p === h || p.startsWith(h + sep));
  if (!command.includes('/') || !inside(command)) return [];
  let real = command;
  try {
    real = realpathSync(command);
  } catch {
    // missing: the spawn reports it
  }
  return [dirname(command), dirname(dirname(real))];
}
