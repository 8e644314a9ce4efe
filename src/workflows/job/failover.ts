// Run the agent on the job's backend; on a long rate limit, an exhausted quota or broken auth, move to the next one.
import { isCancellation } from '@temporalio/workflow';
import { decodeFailure, FailureClass } from '../../protocol/failures.js';
import type { AgentSummary, BackendAttempt, WorkspaceInfo } from '../../protocol/result.js';
import type { JobSpec } from '../../protocol/job.js';
import type { jobActivities } from './activities.js';

const MOVABLE: string[] = [FailureClass.RateLimited, FailureClass.QuotaExhausted];
const UNKNOWN_RESET_MS = 3600_000; // a quota or limit with no reset time: assume an hour

export interface FailoverContext {
  spec: JobSpec;
  workspace: WorkspaceInfo;
  acts: ReturnType<typeof jobActivities>;
  /** Backends the capacity workflow knows to be limited, until (epoch ms). */
  limits: Record<string, number>;
  /** Backends the capacity workflow knows to have broken auth: skipped, never tried. */
  authBroken: string[];
  /** An AuthFailed marks its backend and moves on (off in histories from before the `auth-broken` patch). */
  authMoves: boolean;
  /** Audit trail, appended in order. */
  trail: BackendAttempt[];
  onLimited(backend: string, until: number): Promise<void>;
  onAuthBroken(backend: string, message: string): Promise<void>;
  onBackend(backend: string): void;
}

export async function runWithFailover(c: FailoverContext): Promise<AgentSummary> {
  const candidates = [c.spec.backend, ...(c.spec.fallbacks ?? [])]; // histories from before failover lack fallbacks
  for (const [i, backend] of candidates.entries()) {
    const last = i === candidates.length - 1;
    const skip = last ? undefined : skipped(c, backend); // the last one always runs: the job needs an outcome
    if (skip) {
      c.trail.push(skip);
      continue;
    }
    c.onBackend(backend);
    try {
      const agent = await c.acts.agent.runAgent({
        spec: { ...c.spec, backend },
        workspace: c.workspace,
        canFailover: !last,
      });
      c.trail.push({ backend, outcome: 'succeeded' });
      return agent;
    } catch (err) {
      await afterFailure(c, backend, err, last); // rethrows unless the job moves on
    }
  }
  throw new Error('no backend to run'); // unreachable: the last candidate always runs or throws
}

/** A backend known to be auth-broken or limited is not even tried. */
function skipped(c: FailoverContext, backend: string): BackendAttempt | undefined {
  if (c.authBroken.includes(backend)) return { backend, outcome: 'skipped', failureClass: FailureClass.AuthFailed };
  const until = c.limits[backend];
  if (until !== undefined && until > Date.now()) return { backend, outcome: 'skipped', limitedUntil: until };
  return undefined;
}

/** Records the failure, marks the backend (limited, or auth-broken even with no fallback left), rethrows or moves. */
async function afterFailure(c: FailoverContext, backend: string, err: unknown, last: boolean): Promise<void> {
  const f = decodeFailure(err);
  const limited = MOVABLE.includes(f.failureClass);
  const auth = c.authMoves && f.failureClass === FailureClass.AuthFailed;
  const limitedUntil = f.agent?.resetAt ?? Date.now() + UNKNOWN_RESET_MS;
  c.trail.push({ backend, outcome: 'failed', failureClass: f.failureClass, ...(limited ? { limitedUntil } : {}) });
  if (auth) await c.onAuthBroken(backend, f.message);
  if (last || isCancellation(err) || !(limited || auth)) throw err;
  if (limited) await c.onLimited(backend, limitedUntil);
}
