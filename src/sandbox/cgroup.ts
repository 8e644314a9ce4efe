// The kernel's cgroups as nightshift uses them: where the pids and memory controllers are (v2 delegated, else v1),
// and the worker's own subtree `<own cgroup>/nightshift/w<pid>-<start>/<run>` in each, never the worker itself.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Controller = 'pids' | 'memory';

/** One controller's home for this worker: the hierarchy (v1/v2) and the dir its runs' cgroups go under. */
export interface ControllerHome {
  kind: 'v1' | 'v2';
  /** `<mount><own path>/nightshift`: every worker's dirs, the stale ones swept at start. */
  base: string;
}

export const WORKER_LEAF = 'nightshift-worker';
const SAFE_PATH = /^[\w./@:+-]+$/;

export const readText = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** `key value` lines (pids.events, memory.events, memory.oom_control) as numbers. */
export function keyedCounts(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** Mount points by fs type: cgroup2's, and each v1 controller's (from its mount options). */
function mounts(): { v2?: string; v1: Partial<Record<Controller, string>> } {
  const out: { v2?: string; v1: Partial<Record<Controller, string>> } = { v1: {} };
  for (const line of (readText('/proc/self/mounts') ?? '').split('\n')) {
    const [, dir, type, opts = ''] = line.split(' ');
    if (!dir) continue;
    if (type === 'cgroup2' && !out.v2) out.v2 = dir;
    for (const c of ['pids', 'memory'] as const)
      if (type === 'cgroup' && opts.split(',').includes(c) && !out.v1[c]) out.v1[c] = dir;
  }
  return out;
}

/** The worker's own cgroup path per hierarchy: '' for v2 (`0::/x`), else the controller's name. */
function ownPaths(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (readText('/proc/self/cgroup') ?? '').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    for (const c of (m[1] ?? '').split(',')) out.set(c, m[2] ?? '/');
  }
  return out;
}

/**
 * v2 needs a delegated subtree: the worker's cgroup must offer pids/memory and be writable. A cgroup with processes
 * cannot pass controllers down (only the real root may), so its processes move into a leaf beside `nightshift/`:
 * systemd's `Delegate=yes` pattern, and a container's namespace root alike.
 */
function v2Home(mount: string, own: string): { base: string; controllers: Controller[] } | undefined {
  const path = own.endsWith(`/${WORKER_LEAF}`) ? own.slice(0, -WORKER_LEAF.length - 1) : own; // a restart in the leaf
  const dir = join(mount, path);
  const offered = (readText(join(dir, 'cgroup.controllers')) ?? '').split(/\s+/);
  const controllers = (['pids', 'memory'] as const).filter((c) => offered.includes(c));
  if (controllers.length === 0) return undefined;
  try {
    if (existsSync(join(dir, 'cgroup.type'))) moveProcsToLeaf(dir); // the real root has no cgroup.type
    enableV2(dir, controllers);
    const base = join(dir, 'nightshift');
    mkdirSync(base, { recursive: true });
    enableV2(base, controllers);
    return { base, controllers };
  } catch {
    return undefined; // not delegated to us (EACCES, EROFS, EBUSY): v1 or rlimits
  }
}

function moveProcsToLeaf(dir: string): void {
  mkdirSync(join(dir, WORKER_LEAF), { recursive: true });
  for (const pid of (readText(join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean)) {
    try {
      writeFileSync(join(dir, WORKER_LEAF, 'cgroup.procs'), pid);
    } catch {
      // exited meanwhile; one that cannot move makes enabling the controllers fail (EBUSY), and v2 is not used
    }
  }
}

export function enableV2(dir: string, controllers: readonly Controller[]): void {
  writeFileSync(join(dir, 'cgroup.subtree_control'), controllers.map((c) => `+${c}`).join(' '));
}

function v1Home(mount: string | undefined, own: string | undefined): ControllerHome | undefined {
  if (!mount || own === undefined) return undefined;
  const base = join(mount, own, 'nightshift');
  try {
    mkdirSync(base, { recursive: true });
    accessSync(base, constants.W_OK); // made by another user (root): not ours to use
    return existsSync(join(base, 'cgroup.procs')) ? { kind: 'v1', base } : undefined;
  } catch {
    return undefined;
  }
}

let found: Partial<Record<Controller, ControllerHome>> | undefined;

/** Where this host lets the worker put its runs, per controller (probed once per process). */
export function controllerHomes(): Partial<Record<Controller, ControllerHome>> {
  if (found) return found;
  const m = mounts();
  const own = ownPaths();
  const v2 = m.v2 !== undefined && own.has('') ? v2Home(m.v2, own.get('') ?? '/') : undefined;
  found = {};
  for (const c of v2?.controllers ?? []) found[c] = { kind: 'v2', base: v2?.base ?? '' };
  for (const c of ['pids', 'memory'] as const) {
    const home = found[c] ?? v1Home(m.v1[c], own.get(c));
    // Its path goes into a shell line in single quotes: anything unusual is not used.
    if (home && SAFE_PATH.test(home.base)) found[c] = home;
  }
  return found;
}
