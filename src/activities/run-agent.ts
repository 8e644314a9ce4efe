// The agent activity: the Temporal side of an agent run — a host slot, heartbeats, cancellation, and failures whose
// `type` the retry policy matches (a rate limit retries no sooner than its reset, or moves to the next backend).
import { CancelledFailure, Context, type ApplicationFailure } from '@temporalio/activity';
import type { AgentSlots } from '../agents/process/agent-slots.js';
import type { Watch } from '../agents/process/supervise.js';
import { runAgentCli, type AgentRunOutcome } from '../agents/run.js';
import type { RunAgentInput } from '../protocol/activities.js';
import { encodeFailure, FailureClass, type AgentFailureDetails } from '../protocol/failures.js';
import type { JobSpec } from '../protocol/job.js';
import type { AgentSummary } from '../protocol/result.js';
import type { ActivityDeps } from './deps.js';
import { classifyFault } from './io-failure.js';

const SLOT_HEARTBEAT_MS = 2000;

/** How a supervised process sees its activity: heartbeats, and the signal a cancel or a shutdown aborts. */
export function activityWatch(ctx: Context): Watch {
  return {
    heartbeat: (details: unknown) => ctx.heartbeat(details),
    signal: ctx.cancellationSignal,
    shuttingDown: () => ctx.cancellationDetails?.workerShutdown === true,
  };
}

export function runAgentWith({ config, host }: ActivityDeps) {
  return async ({ spec, workspace, canFailover = false, label = 'agent' }: RunAgentInput): Promise<AgentSummary> => {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const watch = activityWatch(ctx);
    const release = await takeSlot(host.slots, ctx, () => stopFailure('worker-shutdown', spec, attempt));
    let outcome: AgentRunOutcome;
    try {
      outcome = await runAgentCli({ spec, workspace, label, attempt, config, watch });
    } finally {
      release();
    }
    if (outcome.kind === 'succeeded') return outcome.summary;
    if (outcome.kind === 'stopped') throw stopFailure(outcome.reason, spec, attempt);
    if (outcome.kind === 'fault') {
      const c = classifyFault(outcome.fault, 'agent');
      throw c instanceof Error ? c : agentFailure(c.type, c.message, attempt);
    }
    const { verdict } = outcome;
    const fallback = Date.now() + config.jobs.rateLimitFallbackSeconds * 1000;
    const resetAt = verdict.type === FailureClass.RateLimited ? (verdict.resetAt ?? fallback) : undefined;
    // Waiting for the reset is longer than moving to the next backend: end this backend's attempts.
    const failOver = canFailover && resetAt !== undefined && resetAt - Date.now() > spec.failoverMaxWaitSeconds * 1000;
    // A passed cap is final even where a retry policy predates BudgetExceeded (another attempt spends as much again).
    const final = failOver || verdict.type === FailureClass.BudgetExceeded;
    throw agentFailure(verdict.type, verdict.message, attempt, resetAt, final);
  };
}

/** One of the host's agent slots; heartbeats while waiting, and a cancel (or a shutdown) ends the wait. */
async function takeSlot(slots: AgentSlots, ctx: Context, onShutdown: () => Error): Promise<() => void> {
  const beat = setInterval(() => ctx.heartbeat({ waitingForSlot: true }), SLOT_HEARTBEAT_MS);
  try {
    return await slots.acquire(ctx.cancellationSignal);
  } catch (err) {
    throw ctx.cancellationDetails?.workerShutdown ? onShutdown() : err;
  } finally {
    clearInterval(beat);
  }
}

type StopReason = Extract<AgentRunOutcome, { kind: 'stopped' }>['reason'];

function stopFailure(reason: StopReason, spec: JobSpec, attempt: number): Error {
  if (reason === 'cancelled') return new CancelledFailure('job cancelled; agent process group killed');
  if (reason === 'worker-shutdown') return agentFailure(FailureClass.WorkerShutdown, 'worker shutting down', attempt);
  if (reason === 'hang') {
    return agentFailure(
      FailureClass.AgentTimedOut,
      `no output for ${spec.hangTimeoutSeconds}s: agent hung; process group killed`,
      attempt,
    );
  }
  return agentFailure(
    FailureClass.AgentTimedOut,
    `agent ran past the ${spec.timeoutSeconds}s timeout; process group killed`,
    attempt,
  );
}

/** `type` for retry policies, details for the workflow (attempt, reset time); retry no sooner than the reset. */
function agentFailure(
  type: FailureClass,
  message: string,
  attempt: number,
  resetAt?: number,
  nonRetryable = false,
): ApplicationFailure {
  const details: AgentFailureDetails = resetAt !== undefined ? { attempt, resetAt, source: 'cli' } : { attempt };
  return encodeFailure(type, message, {
    details,
    nonRetryable,
    ...(resetAt !== undefined ? { nextRetryDelayMs: Math.max(1000, resetAt - Date.now()) } : {}),
  });
}
