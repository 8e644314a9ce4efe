// Run the agent on the job's backend; on a long rate limit or exhausted quota, move to the next one.
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
  /** Audit trail, appended in order. */
  trail: BackendAttempt[];
  onLimited(backend: string, until: number): Promise<void>;
  onBackend(backend: string): void;
}

export async function runWithFailover(c: FailoverContext): Promise<AgentSummary> {
  const candidates = [c.spec.backend, ...(c.spec.fallbacks ?? [])]; // histories from before failover lack fallbacks
  for (const [i, backend] of candidates.entries()) {
    const last = i === candidates.length - 1;
    const until = c.limits[backend];
    if (!last && until !== undefined && until > Date.now()) {
      c.trail.push({ backend, outcome: 'skipped', limitedUntil: until }); // known limited: not even tried
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
      const f = decodeFailure(err);
      const limitedUntil = f.agent?.resetAt ?? Date.now() + UNKNOWN_RESET_MS;
      c.trail.push({
        backend,
        outcome: 'failed',
        failureClass: f.failureClass,
        ...(MOVABLE.includes(f.failureClass) ? { limitedUntil } : {}),
      });
      if (last || isCancellation(err) || !MOVABLE.includes(f.failureClass)) throw err;
      await c.onLimited(backend, limitedUntil);
    }
  }
  throw new Error('no backend to run'); // unreachable: the last candidate always runs or throws
}
