// One runner for every agent CLI and every check: its environment cut to its own keys, and under bwrap its
// file system cut to its workspace, its state dir and a private /tmp.
import { closeSync, existsSync, openSync, readSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Invocation } from '../agents/contract.js';
import type { Config } from '../config/schema.js';
import { bwrapArgs } from './bwrap-args.js';
import type { NetworkPolicy } from './egress-policy.js';
import { openEgress } from './egress-run.js';
import { bwrapPath, type SandboxMode } from './detect.js';
import { sandboxEnv } from './env.js';
import { gitBinds } from './git-binds.js';
import { limitedInvocation, type LimitedRun } from './limits.js';
import { onPath } from './on-path.js';

/** nightshift's own install (its node_modules/.bin and .tools hold the CLIs): readable even inside a hidden home. */
const INSTALL_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/**
 * A git identity from the environment (git's GIT_CONFIG_* pairs): the repo's config is read-only inside, and a
 * CLI that finds no user.name would write one there (aider does). The commit is nightshift's own, outside.
 */
const GIT_IDENTITY = {
  GIT_CONFIG_COUNT: '2',
  GIT_CONFIG_KEY_0: 'user.name',
  GIT_CONFIG_VALUE_0: 'nightshift agent',
  GIT_CONFIG_KEY_1: 'user.email',
  GIT_CONFIG_VALUE_1: 'agent@nightshift.invalid',
};

export interface SandboxRequest {
  mode: SandboxMode;
  invocation: Invocation;
  /** The workspace: the cwd, writable. */
  cwd: string;
  /** The job's dir: its record of the worktree's git paths gives the git binds (never the workspace's `.git`). */
  jobDir?: string;
  /** Worker variables (by name prefix) this process may see: its CLI's own keys. None for a check. */
  own: readonly string[];
  /** The CLI's state dir (writable); its `home` is HOME inside. A check: `<dataDir>/check-home`. */
  stateDir: string;
  /** More writable dirs (a setup's shared cache dirs, which live under the hidden data dir). */
  writable?: readonly string[];
  /** host: the host's network; none: an empty namespace; proxy: an empty namespace whose way out is the proxy. */
  network: NetworkPolicy;
  config: Config;
  /** Names the run's cgroup (job, label, attempt): `ps`/`systemd-cgls` show whose it is. */
  runName?: string;
}

/** The wrapped command, and what to end when its run ends (the run's egress proxy). */
export interface SandboxedInvocation extends Invocation {
  release(): Promise<void>;
}

const nothing = async (): Promise<void> => {};

/**
 * Every sandboxed run (agent, check, setup) in its own cgroup under `sandbox.limits` (limits.ts), entered before
 * anything runs; `limits.finish()` says which ceiling it hit, and `release()` removes the cgroup in any case.
 */
export async function sandboxed(r: SandboxRequest): Promise<SandboxedInvocation & { limits?: LimitedRun }> {
  const inv = await confined(r);
  const { limits, ...limited } = limitedInvocation(inv, r.config.sandbox.limits, r.runName ?? 'run');
  const release = async (): Promise<void> => {
    await Promise.all([inv.release(), limits?.finish()]);
  };
  return { ...limited, release, ...(limits ? { limits } : {}) };
}

async function confined(r: SandboxRequest): Promise<SandboxedInvocation> {
  const inv = r.invocation;
  if (r.mode === 'off')
    return { ...inv, env: sandboxEnv({ worker: process.env, own: r.own, set: inv.env }), release: nothing };
  const home = inv.env['HOME'] ?? join(r.stateDir, 'home'); // a HOME in the backend's config env is its home
  const homes = [home, ...stateEnv(inv.env)];
  await Promise.all(homes.map((d) => mkdir(d, { recursive: true })));
  const git = await gitBinds(r.jobDir, r.cwd);
  const hidden = ['/tmp', homedir(), '/root', '/home', r.config.dataDir].filter((d) => existsSync(d) || d === '/tmp');
  const plan = {
    cwd: r.cwd,
    hidden: [...new Set(hidden)],
    readOnly: [INSTALL_ROOT, ...commandDirs(inv.command, hidden), ...git.readOnly, ...r.config.sandbox.readOnly],
    writable: [r.cwd, r.stateDir, ...homes, ...git.writable, ...(r.writable ?? []), ...r.config.sandbox.writable],
    network: r.network.kind === 'host',
  };
  const egress = r.network.kind === 'proxy' ? await openEgress(r.network, r.config) : undefined;
  const sockets = [...(egress?.sockets ?? []), ...(r.network.kind === 'host' ? [] : (r.network.sockets ?? []))];
  plan.readOnly.push(...sockets); // a unix socket crosses the namespace; connect works read-only
  const env = sandboxEnv({
    worker: process.env,
    own: r.own,
    set: { TMPDIR: '/tmp', ...GIT_IDENTITY, ...inv.env },
    home,
  });
  if (r.network.kind !== 'host') for (const v of PROXY_VARS) delete env[v]; // no way out but its own bridge
  const argv = egress ? egress.wrap(inv.command, inv.args) : [inv.command, ...inv.args];
  const release = egress ? () => egress.close() : nothing;
  const bwrap = [bwrapPath(), ...bwrapArgs(plan), ...argv];
  return { ...reaped(bwrap), env: { ...env, ...egress?.env }, release };
}

/**
 * bwrap's pid-namespace init outlives its monitor as a zombie, orphaned to the host's PID 1 — which may never reap
 * it (a container's worker as PID 1, this CI's init): the group then looks alive and its exit waits out a grace.
 * `tini -s` (a child subreaper) leads the group instead and reaps every orphan before it exits; `-p SIGKILL`: it dies
 * with the worker, as bwrap's --die-with-parent did when the worker was its parent.
 */
function reaped([command, ...args]: string[]): Invocation {
  const tini = tiniPath();
  return tini
    ? { command: tini, args: ['-s', '-p', 'SIGKILL', '--', command ?? '', ...args], env: {} }
    : { command: command ?? '', args, env: {} };
}

let tini: string | null | undefined;
/** tini on PATH (Debian's `tini`; `npm run setup` installs it), once per process; null: not there. */
export function tiniPath(): string | undefined {
  if (tini === undefined) tini = onPath('tini', process.env, ['/usr/bin', '/bin']) ?? null;
  return tini ?? undefined;
}

const PROXY_VARS = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'http_proxy',
  'https_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
];

/** Where the config env puts a CLI's own state (its homes, XDG dirs): writable like its state dir. */
const STATE_VARS = /^(CODEX_HOME|GEMINI_CLI_HOME|LLM_USER_PATH|XDG_(CONFIG|DATA|STATE|CACHE)_HOME)$/;
const stateEnv = (env: Record<string, string>): string[] =>
  Object.entries(env)
    .filter(([k, v]) => STATE_VARS.test(k) && v.startsWith('/'))
    .map(([, v]) => v);

/**
 * A CLI or its interpreter inside a hidden dir (a venv's python → ~/.pyenv/versions/3.11/bin/python3.11, node under
 * ~/.nvm): the launcher's dir and the real file's prefix (two levels up: `…/versions/3.11`) stay readable.
 */
function commandDirs(command: string, hidden: string[]): string[] {
  const inside = (p: string): boolean => hidden.some((h) => p === h || p.startsWith(h + sep));
  const dirs: string[] = [];
  for (const file of [command, interpreterOf(command)]) {
    if (!file?.startsWith('/')) continue;
    let real = file;
    try {
      real = realpathSync(file);
    } catch {
      // missing: the spawn reports it
    }
    if (inside(file)) dirs.push(dirname(file));
    if (inside(real)) dirs.push(dirname(dirname(real)));
  }
  return dirs;
}

/** The `#!` interpreter of a script (`#!/usr/bin/env node` → node on PATH); undefined for a binary. */
function interpreterOf(command: string): string | undefined {
  let head = '';
  try {
    const fd = openSync(command, 'r');
    const buf = Buffer.alloc(256);
    head = buf.subarray(0, readSync(fd, buf, 0, 256, 0)).toString('utf8');
    closeSync(fd);
  } catch {
    return undefined;
  }
  const m = /^#!\s*(\S+)(?:\s+(?:-S\s+)?(\S+))?/.exec(head);
  if (!m?.[1]) return undefined;
  if (!m[1].endsWith('/env') || !m[2]) return m[1];
  return onPath(m[2]);
}
