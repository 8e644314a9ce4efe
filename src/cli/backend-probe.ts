// `backends check`: one tiny authenticated run of a backend's CLI, outside Temporal — does its auth work now?
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { runAgentCli, type AgentRunOutcome } from '../agents/run.js';
import type { Config } from '../config/schema.js';
import { FailureClass } from '../protocol/failures.js';
import { newJobId } from '../protocol/ids.js';
import type { WorkspaceInfo } from '../protocol/result.js';
import { UsageError } from '../support/usage-error.js';
import { resolveJobSpec } from '../client/job-input.js';

export const PROBE_PROMPT = 'Reply with the single word OK.';
const PROBE_TIMEOUT_SECONDS = 120;

export interface ProbeResult {
  backend: string;
  ok: boolean;
  /** The failure class (AuthFailed, RateLimited, AgentNotFound, …) when the probe failed. */
  failureClass?: string;
  /** The answer's first line, or why it failed. */
  message: string;
  durationMs: number;
}

/** Never throws: whatever goes wrong is this backend's failed probe. */
export async function probeBackend(backend: string, config: Config, signal: AbortSignal): Promise<ProbeResult> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), `nightshift-probe-${backend}-`));
  try {
    return { backend, ...(await probeIn(dir, backend, config, signal)), durationMs: Date.now() - started };
  } catch (err) {
    // A CLI that is not installed is a usage error at submit; here it is this backend's answer.
    const failureClass = err instanceof UsageError ? FailureClass.AgentNotFound : FailureClass.Unclassified;
    const message = err instanceof Error ? err.message : String(err);
    return { backend, ok: false, failureClass, message, durationMs: Date.now() - started };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function probeIn(dir: string, backend: string, config: Config, signal: AbortSignal) {
  const workspace: WorkspaceInfo = {
    path: join(dir, 'work'),
    mode: 'in-place',
    jobDir: join(dir, 'job'),
    baseline: [],
  };
  await mkdir(workspace.path);
  await mkdir(workspace.jobDir);
  await execa('git', ['init', '-q', workspace.path]); // agents expect a repository; an empty one holds nothing
  const kind = config.estimates['llm'] !== undefined ? 'llm' : (Object.keys(config.estimates)[0] ?? 'llm');
  const input = { prompt: PROBE_PROMPT, kind, backend, workspace: 'none', timeoutSeconds: PROBE_TIMEOUT_SECONDS };
  const spec = resolveJobSpec(
    { ...input, maxAttempts: 1, jobId: `job-probe-${backend}-${newJobId().slice(4)}` },
    config,
  );
  const watch = { heartbeat: () => undefined, signal, shuttingDown: () => false };
  return outcomeOf(await runAgentCli({ spec, workspace, label: 'probe', attempt: 1, config, watch }));
}

function outcomeOf(o: AgentRunOutcome): Omit<ProbeResult, 'backend' | 'durationMs'> {
  switch (o.kind) {
    case 'succeeded':
      return { ok: true, message: o.summary.finalText.trim().split('\n')[0]?.slice(0, 80) ?? '' };
    case 'failed':
      return { ok: false, failureClass: o.verdict.type, message: o.verdict.message };
    case 'stopped':
      return o.reason === 'cancelled'
        ? { ok: false, failureClass: 'Cancelled', message: 'probe interrupted' }
        : { ok: false, failureClass: FailureClass.AgentTimedOut, message: `no answer (${o.reason})` };
    case 'fault': {
      const why = o.fault.kind === 'dir-missing' ? `${o.fault.dir} vanished` : o.fault.error.message;
      const notFound = o.fault.kind === 'spawn-failed' && /ENOENT/.test(why);
      return {
        ok: false,
        failureClass: notFound ? FailureClass.AgentNotFound : FailureClass.AgentCrashed,
        message: why,
      };
    }
  }
}
