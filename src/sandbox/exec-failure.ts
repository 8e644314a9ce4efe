// bwrap runs the command itself: a program that is missing (or whose interpreter is) shows as bwrap's own error
// and exit 1, not as a spawn ENOENT. Made a spawn failure again, so it is classified as one (AgentNotFound, 127).
import type { Supervised } from '../agents/process/supervise.js';

const EXECVP = /^bwrap: execvp (\S+): (No such file or directory|Permission denied)$/m;

export function withExecFailure(sup: Supervised): Supervised {
  if (sup.fault || sup.stopReason !== 'exited' || sup.exitCode !== 1) return sup;
  const m = EXECVP.exec(sup.stderrTail);
  if (!m?.[1]) return sup;
  const code = m[2] === 'Permission denied' ? 'EACCES' : 'ENOENT';
  const error = Object.assign(new Error(`spawn ${m[1]} ${code}`), { code, syscall: `spawn ${m[1]}`, path: m[1] });
  return { ...sup, stopReason: 'fault', fault: { kind: 'spawn-failed', error } };
}
