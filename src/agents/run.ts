// One agent run, Temporal-free: prepare the adapter's files, spawn and supervise the CLI, parse, classify.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { mcpMount } from '../config/mcp-mount.js';
import type { Config } from '../config/schema.js';
import { FailureClass } from '../protocol/failures.js';
import type { JobSpec } from '../protocol/job.js';
import type { AgentSummary, WorkspaceInfo } from '../protocol/result.js';
import { jobSandbox } from '../sandbox/detect.js';
import { withExecFailure } from '../sandbox/exec-failure.js';
import { limitFailure } from '../sandbox/limits.js';
import { RefusalScanner } from '../sandbox/refusals.js';
import { agentEgress } from '../sandbox/egress-mcp.js';
import { sandboxed } from '../sandbox/wrap.js';
import { logger, maskSecrets } from '../support/logger.js';
import { registerConfigSecrets } from '../config/secret-values.js';
import { UsageError } from '../support/usage-error.js';
import type { AgentAdapter, ParsedRun, RunContext, Verdict } from './contract.js';
import { budgetPassed, budgetVerdict } from './budget.js';
import { writeInstructions } from './instructions.js';
import { superviseAgent, type Fault, type StopReason, type Supervised, type Watch } from './process/supervise.js';
import { adapterFor, resolveCommand } from './registry.js';
import { checkTotals } from './support/usage.js';

export interface AgentRunRequest {
  spec: JobSpec;
  workspace: WorkspaceInfo;
  /** Names the raw output file: `<label>-attempt-N.jsonl`. */
  label: string;
  attempt: number;
  config: Config;
  watch: Watch;
}

export type AgentRunOutcome =
  | { kind: 'succeeded'; summary: AgentSummary }
  | { kind: 'stopped'; reason: Exclude<StopReason, 'exited' | 'fault' | 'budget'> }
  /** Host trouble (job dir gone, spawn or output file failed): the activity classifies it. */
  | { kind: 'fault'; fault: Fault }
  | { kind: 'failed'; verdict: Extract<Verdict, { ok: false }> };

/** What the adapter is told about this run (the spec's backend, model, session and the worker's settings). */
export async function runContextOf(
  spec: JobSpec,
  workspace: WorkspaceInfo,
  config: Config,
  command = resolveCommand(spec.backend, config),
): Promise<RunContext> {
  const stateDir = join(config.dataDir, 'backends', spec.backend);
  await mkdir(stateDir, { recursive: true });
  return {
    prompt: spec.prompt,
    workspace: workspace.path,
    config: config.backends[spec.backend] ?? { env: {}, extraArgs: [] },
    command,
    stateDir,
    requestTimeoutSeconds: Math.min(spec.timeoutSeconds, 600),
    ...(spec.model ? { model: spec.model } : {}),
    ...(spec.resumeSessionId ? { resumeSessionId: spec.resumeSessionId } : {}),
    ...(config.instructions ? { instructions: config.instructions } : {}),
    ...(jobSandbox(spec, config) === 'bwrap' ? { confined: true } : {}),
    // A brain job's agent mounts the engine's MCP server (its jobs carry this job as their parent).
    ...(spec.mcp && adapterFor(spec.backend).mountsMcp ? { mcp: mcpMount(config, spec.jobId) } : {}),
  };
}

export async function runAgentCli(req: AgentRunRequest): Promise<AgentRunOutcome> {
  const { spec, workspace, attempt, config } = req;
  registerConfigSecrets(config); // its output is masked (output-sink.ts): a caller without a worker too
  const log = logger('run-agent').child({ jobId: spec.jobId, backend: spec.backend, attempt });
  const adapter: AgentAdapter = adapterFor(spec.backend);
  const command = hostCommand(spec.backend, config);
  if (!command.ok) return { kind: 'failed', verdict: command };
  // A brain's MCP server runs on the worker's side when its agent has a namespace of its own (egress-mcp.ts).
  const egress = await agentEgress(
    await runContextOf(spec, workspace, config, command.path),
    spec.backend,
    jobSandbox(spec, config),
    config,
  );
  const ctx = egress.ctx;
  const instructionsWritten = await writeInstructions(adapter, workspace.path, config.instructions);
  const state = adapter.prepare ? await adapter.prepare(ctx) : undefined;
  const sandbox = jobSandbox(spec, config);
  const invocation = await sandboxed({
    mode: sandbox,
    invocation: adapter.invocation(ctx, state),
    cwd: workspace.path,
    jobDir: workspace.jobDir, // the engine's record of the worktree's git paths: the sandbox's git binds
    own: adapter.ownEnv,
    stateDir: ctx.stateDir,
    // Its own namespace; its way out (sandbox.agentNetwork proxy) reaches its model endpoint and allowHosts only.
    network: egress.network,
    config,
    runName: `${spec.jobId}-${req.label}-${attempt}`,
  });
  const outputFile = join(workspace.jobDir, `${req.label}-attempt-${attempt}.jsonl`);
  const parser = adapter.parser(ctx, state);
  const refused = new RefusalScanner((p) => p === workspace.path || p.startsWith(workspace.path + '/'));
  log.info({ command: invocation.command, cwd: workspace.path, sandbox }, 'spawning agent');
  const sup = withExecFailure(
    await superviseAgent({
      invocation,
      cwd: workspace.path,
      outputFile,
      outputLimit: config.jobs.outputLimitBytes,
      timeoutMs: spec.timeoutSeconds * 1000,
      hangMs: spec.hangTimeoutSeconds * 1000,
      heartbeatMs: spec.heartbeatSeconds * 1000,
      mustExist: [workspace.jobDir, workspace.path],
      onLine: (line) => {
        parser.feed(line);
        refused.feed(line);
      },
      overBudget: () => budgetPassed(spec, parser.run) !== undefined,
      progress: () => ({
        attempt,
        turns: parser.run.turns,
        toolCalls: parser.run.toolCalls,
        tokens: parser.run.tokens,
      }),
      watch: req.watch,
    }).finally(() => Promise.all([invocation.release(), egress.close()])), // its proxy, bridge and connections end with it
  );
  log.info(
    { exitCode: sup.exitCode, signal: sup.signal, ms: sup.exitedAt - sup.spawnedAt, stop: sup.stopReason },
    'agent exited',
  );
  if (sup.fault) return { kind: 'fault', fault: sup.fault };
  if (sup.stopReason === 'budget')
    return { kind: 'failed', verdict: budgetVerdict(budgetPassed(spec, parser.run) ?? '') };
  if (sup.stopReason !== 'exited' && sup.stopReason !== 'fault') return { kind: 'stopped', reason: sup.stopReason };
  checkTotals(parser.run); // the CLI's figures are its word: bad ones are rejected before anything keeps them
  const verdict = adapter.classify(parser.run, {
    exitCode: sup.exitCode,
    signal: sup.signal,
    stderrTail: sup.stderrTail,
    now: Date.now(),
  });
  // A failed run that hit a sandbox.limits ceiling failed for that (a refused fork, an OOM kill), whatever it printed.
  const limitHit = limitFailure(await invocation.limits?.finish(), config.sandbox.limits);
  if (!verdict.ok)
    return { kind: 'failed', verdict: limitHit ?? { ...verdict, message: maskSecrets(verdict.message) } };
  if (limitHit) log.warn({ limit: limitHit.message }, 'agent hit a ceiling but succeeded');
  await adapter.afterRun?.(parser.run, ctx, state);
  const summary = summaryOf(req, parser.run, sup, outputFile, instructionsWritten);
  return { kind: 'succeeded', summary: { ...summary, sandbox, ...refusedOf(refused) } };
}

const refusedOf = (r: RefusalScanner): { refusedWrites?: string[] } =>
  r.paths.size > 0 ? { refusedWrites: r.list().map((p) => maskSecrets(p)) } : {};

/** The CLI's executable on this host. Submit checked it; gone since (uninstalled, another host): this job's failure. */
function hostCommand(backend: string, config: Config): { ok: true; path: string } | Extract<Verdict, { ok: false }> {
  try {
    return { ok: true, path: resolveCommand(backend, config) };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return { ok: false, type: FailureClass.AgentNotFound, message: `${err.message} (on this host)` };
  }
}

/** The run as a bounded, secret-free payload. */
function summaryOf(
  req: AgentRunRequest,
  r: ParsedRun,
  sup: Supervised,
  outputFile: string,
  instructionsWritten: string | undefined,
): AgentSummary {
  return {
    backend: req.spec.backend,
    finalText: maskSecrets(r.finalText).slice(0, 8000),
    tokens: r.tokens,
    turns: r.turns,
    toolCalls: r.toolCalls,
    filesTouched: r.filesTouched.slice(0, 500),
    durationMs: sup.exitedAt - sup.spawnedAt,
    outputFile,
    spawnedAt: sup.spawnedAt,
    exitedAt: sup.exitedAt,
    attempt: req.attempt,
    ...(instructionsWritten ? { instructionsWritten } : {}),
    ...(r.sessionId ? { sessionId: r.sessionId } : {}),
    ...(r.costUsd !== undefined ? { costUsd: r.costUsd } : {}),
    ...(r.usageRejected?.length ? { usageRejected: r.usageRejected } : {}),
    ...(sup.exitCode !== undefined ? { exitCode: sup.exitCode } : {}),
  };
}
