// The agent activity: spawn the CLI in its own process group, heartbeat on a timer, classify the outcome.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { RunContext } from '../agents/contract.js';
import { adapterFor, resolveCommand } from '../agents/registry.js';
import { FailureClass, type RateLimitDetails } from '../protocol/failures.js';
import type { AgentSummary, JobSpec, WorkspaceInfo } from '../protocol/job.js';
import { logger, maskSecrets } from '../support/logger.js';
import { writeInstructions } from '../agents/instructions.js';
import { superviseAgent, type Supervised } from '../agents/process/supervise.js';
import type { ActivityDeps } from './index.js';

export interface RunAgentInput {
  spec: JobSpec;
  workspace: WorkspaceInfo;
  /** A later backend exists: a rate limit beyond spec.failoverMaxWaitSeconds ends this backend's attempts. */
  canFailover?: boolean;
  /** Names the raw output file: `<label>-attempt-N.jsonl` (follow-ups: fix-1, revise-1, review-1). */
  label?: string;
}

export function runAgentWith({ config }: ActivityDeps) {
  return async ({ spec, workspace, canFailover = false, label = 'agent' }: RunAgentInput): Promise<AgentSummary> => {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const log = logger('run-agent').child({ jobId: spec.jobId, backend: spec.backend, attempt });
    const adapter = adapterFor(spec.backend);
    const backendConfig = config.backends[spec.backend] ?? { env: {}, extraArgs: [] };
    const stateDir = join(config.dataDir, 'backends', spec.backend);
    await mkdir(stateDir, { recursive: true });
    const runCtx: RunContext = {
      prompt: spec.prompt,
      workspace: workspace.path,
      config: backendConfig,
      command: resolveCommand(spec.backend, config),
      stateDir,
      requestTimeoutSeconds: Math.min(spec.timeoutSeconds, 600),
      ...(spec.model ? { model: spec.model } : {}),
      ...(spec.resumeSessionId ? { resumeSessionId: spec.resumeSessionId } : {}),
      ...(config.instructions ? { instructions: config.instructions } : {}),
    };
    const instructionsWritten = await writeInstructions(adapter, workspace.path, config.instructions);
    const invocation = adapter.invocation(runCtx);
    const outputFile = join(workspace.jobDir, `${label}-attempt-${attempt}.jsonl`);
    const parser = adapter.parser(runCtx);
    log.info({ command: invocation.command, cwd: workspace.path }, 'spawning agent');
    const sup = await superviseAgent({
      invocation,
      cwd: workspace.path,
      outputFile,
      outputLimit: config.jobs.outputLimitBytes,
      timeoutMs: spec.timeoutSeconds * 1000,
      hangMs: spec.hangTimeoutSeconds * 1000,
      heartbeatMs: spec.heartbeatSeconds * 1000,
      onLine: (line) => parser.feed(line),
      progress: () => ({ attempt, turns: parser.run.turns, toolCalls: parser.run.toolCalls, tokens: parser.run.tokens }),
      ctx,
    });
    log.info({ exitCode: sup.exitCode, signal: sup.signal, ms: sup.exitedAt - sup.spawnedAt, stop: sup.stopReason }, 'agent exited');
    throwIfStopped(sup, spec, attempt);
    const verdict = adapter.classify(parser.run, { exitCode: sup.exitCode, signal: sup.signal, stderrTail: sup.stderrTail, now: Date.now() });
    if (!verdict.ok) {
      const fallback = Date.now() + config.jobs.rateLimitFallbackSeconds * 1000;
      const resetAt = verdict.type === FailureClass.RateLimited ? (verdict.resetAt ?? fallback) : undefined;
      const failOver = canFailover && resetAt !== undefined && resetAt - Date.now() > spec.failoverMaxWaitSeconds * 1000;
      throw failure(verdict.type, maskSecrets(verdict.message), attempt, resetAt, failOver);
    }
    const r = parser.run;
    await adapter.afterRun?.(r, runCtx);
    return {
      backend: spec.backend,
      finalText: maskSecrets(r.finalText).slice(0, 8000),
      tokens: r.tokens,
      turns: r.turns,
      toolCalls: r.toolCalls,
      filesTouched: r.filesTouched.slice(0, 500),
      durationMs: sup.exitedAt - sup.spawnedAt,
      outputFile,
      spawnedAt: sup.spawnedAt,
      exitedAt: sup.exitedAt,
      attempt,
      ...(instructionsWritten ? { instructionsWritten } : {}),
      ...(r.sessionId ? { sessionId: r.sessionId } : {}),
      ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
      ...(sup.exitCode !== undefined ? { exitCode: sup.exitCode } : {}),
    };
  };
}

function throwIfStopped(sup: Supervised, spec: JobSpec, attempt: number): void {
  if (sup.stopReason === 'cancelled') throw new CancelledFailure('job cancelled; agent process group killed');
  if (sup.stopReason === 'worker-shutdown') throw failure(FailureClass.WorkerShutdown, 'worker shutting down', attempt);
  if (sup.stopReason === 'hang') {
    throw failure(FailureClass.AgentTimedOut, `no output for ${spec.hangTimeoutSeconds}s: agent hung; process group killed`, attempt);
  }
  if (sup.stopReason === 'timeout') {
    throw failure(FailureClass.AgentTimedOut, `agent ran past the ${spec.timeoutSeconds}s timeout; process group killed`, attempt);
  }
}

/** Rich failure: `type` for retry policies, details[0] for the workflow (attempt, reset time). */
function failure(type: string, message: string, attempt: number, resetAt?: number, nonRetryable = false): ApplicationFailure {
  const details: { attempt: number } & Partial<RateLimitDetails> = { attempt };
  if (resetAt !== undefined) Object.assign(details, { resetAt, source: 'cli' });
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable, // true: waiting for the reset is longer than moving to the next backend
    details: [details],
    // Retry no sooner than the reset the CLI announced.
    ...(resetAt !== undefined ? { nextRetryDelay: Math.max(1000, resetAt - Date.now()) } : {}),
  });
}
