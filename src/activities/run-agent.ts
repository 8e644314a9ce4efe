// The agent activity: spawn the CLI in its own process group, heartbeat on a timer, classify the outcome.
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { adapterFor, resolveCommand } from '../backends/registry.js';
import { FailureClass, type RateLimitDetails } from '../shared/failures.js';
import type { AgentSummary, JobSpec, WorkspaceInfo } from '../shared/types.js';
import { logger, maskSecrets } from '../logger.js';
import { superviseAgent, type Supervised } from './supervise.js';
import type { ActivityDeps } from './index.js';

export interface RunAgentInput {
  spec: JobSpec;
  workspace: WorkspaceInfo;
}

export function runAgentWith({ config }: ActivityDeps) {
  return async ({ spec, workspace }: RunAgentInput): Promise<AgentSummary> => {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const log = logger('run-agent').child({ jobId: spec.jobId, backend: spec.backend, attempt });
    const adapter = adapterFor(spec.backend);
    const backendConfig = config.backends[spec.backend] ?? { env: {}, extraArgs: [] };
    const invocation = adapter.invocation({
      prompt: spec.prompt,
      workspace: workspace.path,
      config: backendConfig,
      command: resolveCommand(spec.backend, config),
      ...(spec.model ? { model: spec.model } : {}),
      ...(spec.resumeSessionId ? { resumeSessionId: spec.resumeSessionId } : {}),
    });
    const outputFile = join(workspace.jobDir, `agent-attempt-${attempt}.jsonl`);
    const parser = adapter.parser(workspace.path);
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
      throw failure(verdict.type, maskSecrets(verdict.message), attempt, verdict.type === FailureClass.RateLimited ? (verdict.resetAt ?? fallback) : undefined);
    }
    const r = parser.run;
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
function failure(type: string, message: string, attempt: number, resetAt?: number): ApplicationFailure {
  const details: { attempt: number } & Partial<RateLimitDetails> = { attempt };
  if (resetAt !== undefined) Object.assign(details, { resetAt, source: 'cli' });
  return ApplicationFailure.create({
    type,
    message,
    details: [details],
    // Retry no sooner than the reset the CLI announced.
    ...(resetAt !== undefined ? { nextRetryDelay: Math.max(1000, resetAt - Date.now()) } : {}),
  });
}
