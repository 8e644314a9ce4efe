// bwrap's argv for one process, pure: the root read-only, some dirs hidden, some given back read-only or writable.

export interface BwrapPlan {
  cwd: string;
  /** Covered by an empty tmpfs: /tmp (private), the worker's home, the data dir (other jobs, other CLIs' state). */
  hidden: string[];
  /** Visible again, read-only (inside a hidden dir): the install dir, the source repo, the git common dir. */
  readOnly: string[];
  /** Read-write: the workspace, the CLI's state dir, the worktree's git dir and the object store. */
  writable: string[];
  /** false: its own network namespace (only a loopback of its own). */
  network: boolean;
}

type Mount = { path: string; rank: number; args: (p: string) => string[] };

const depth = (p: string): number => p.split('/').filter(Boolean).length;

/** Mounts in order of depth, so a deeper one wins over the dir it sits in (a writable workspace in a hidden dir). */
export function bwrapArgs(plan: BwrapPlan): string[] {
  const mounts: Mount[] = [
    ...plan.hidden.map((path) => ({ path, rank: 0, args: (p: string) => ['--tmpfs', p] })),
    ...plan.readOnly.map((path) => ({ path, rank: 1, args: (p: string) => ['--ro-bind-try', p, p] })),
    ...plan.writable.map((path) => ({ path, rank: 2, args: (p: string) => ['--bind', p, p] })),
  ];
  mounts.sort((a, b) => depth(a.path) - depth(b.path) || a.rank - b.rank);
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  // Own pid (a kill of bwrap ends them all), ipc and hostname; it dies with the worker that spawned it.
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent');
  // Run as root, bwrap keeps every capability inside: without this an agent remounts a read-only bind writable
  // or mounts its own cgroupfs and leaves its cgroup.
  args.push('--cap-drop', 'ALL');
  if (!plan.network) args.push('--unshare-net');
  for (const m of mounts) args.push(...m.args(m.path));
  args.push('--chdir', plan.cwd, '--');
  return args;
}
