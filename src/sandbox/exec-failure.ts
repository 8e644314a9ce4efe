// bwrap runs the command itself: a program that is missing (or whose interpreter is) shows as bwrap's own error
// and exit 1, not as a spawn ENOENT — or, behind the egress prelude, as its shell's failed `exec` (127, 126).
// Made a spawn failure again, so it is classified as one (AgentNotFound, 127).
import type { Supervised } from '../agents/process/supervise.js';

const EXECVP = /^bwrap: execvp (\S+): (No such file or directory|Permission denied)$/m;
/** dash's words when the egress prelude's `exec "$@"` fails (its $0 is nightshift-egress). */
const PRELUDE_EXEC = /^nightshift-egress: \d+: exec: (\S+): (not found|Permission denied)$/m;

function missingProgram(sup: Supervised): { path: string; denied: boolean } | undefined {
  if (sup.exitCode === 1) {
    const m = EXECVP.exec(sup.stderrTail);
    if (m?.[1]) return { path: m[1], denied: m[2] === 'Permission denied' };
  }
  if (sup.exitCode === 127 || sup.exitCode === 126) {
    const m = PRELUDE_EXEC.exec(sup.stderrTail);
    if (m?.[1]) return { path: m[1], denied: m[2] === 'Permission denied' };
  }
  return undefined;
}

export function withExecFailure(sup: Supervised): Supervised {
  if (sup.fault || sup.stopReason !== 'exited') return sup;
  const missing = missingProgram(sup);
  if (!missing) return sup;
  const code = missing.denied ? 'EACCES' : 'ENOENT';
  const p = missing.path;
  const error = Object.assign(new Error(`spawn ${p} ${code}`), { code, syscall: `spawn ${p}`, path: p });
  return { ...sup, stopReason: 'fault', fault: { kind: 'spawn-failed', error } };
}
