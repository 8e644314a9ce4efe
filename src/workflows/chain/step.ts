// One chain step: render its prompt, run it as a child job (under its own lease), rerun on failure up to `retries`.
import { renderTemplate } from '../../protocol/chain-template.js';
import { addTokens } from '../../protocol/tokens.js';
import { workspaceOf } from './state.js';
import type { ChainSpec, ChainStepSpec, StepRecord } from '../../protocol/chain.js';
import { runChildJob } from '../job/child.js';

export interface StepRun {
  spec: ChainSpec;
  step: ChainStepSpec;
  rec: StepRecord;
  outputs: Record<string, string>;
  parallel: boolean;
  /** The host holding the chain's workspace (earlier steps ran there); unset before the first step. */
  host: string | undefined;
}

/** Never throws for a failed step (the record says how it ended); rethrows only the chain's own cancellation. */
export async function runStep({ spec, step, rec, outputs, parallel, host }: StepRun): Promise<void> {
  const started = Date.now();
  rec.state = 'running';
  rec.startedAt = started;
  const prompt = renderTemplate(step.job.prompt, { task: spec.task, outputs });
  const ws = workspaceOf(spec, parallel ? step.id : undefined);
  for (let attempt = 1; attempt <= 1 + step.retries; attempt++) {
    // A retried step is a fresh child: earlier children's results stay in the history and the record.
    const jobId = attempt === 1 ? `${spec.chainId}-${step.id}` : `${spec.chainId}-${step.id}-${attempt}`;
    rec.jobId = jobId;
    rec.jobIds.push(jobId);
    rec.attempts = attempt;
    const result = await runChildJob({
      ...step.job,
      jobId,
      prompt,
      workspacePath: ws.workspacePath,
      branch: ws.branch,
      ...(host ? { host } : {}),
    });
    rec.result = result;
    addTokens(rec.tokens, result.tokens);
    if (result.status === 'succeeded' || result.status === 'no_op') break;
    rec.failures.push({
      jobId,
      status: result.status,
      ...(result.failureClass ? { failureClass: result.failureClass } : {}),
      ...(result.failureMessage ? { failureMessage: result.failureMessage } : {}),
    });
    if (result.status === 'cancelled') break;
  }
  const ok = rec.result?.status === 'succeeded' || rec.result?.status === 'no_op';
  rec.state = ok ? 'succeeded' : 'failed';
  rec.durationMs = Date.now() - started;
}
