// Chains at the edge: read and validate a chain file, resolve each step to a job spec, start and inspect chains.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { parse as parseYaml } from 'yaml';
import { ChainFileSchema, type ChainFile, type ChainStepInput } from './chain-file.js';
import type { Config } from '../config/schema.js';
import { decodeFailure } from '../protocol/failures.js';
import { newJobId } from '../protocol/ids.js';
import { UsageError } from '../support/usage-error.js';
import { describeIssues } from '../support/zod-issues.js';
import type { chainWorkflow } from '../workflows/chain/workflow.js';
import { chainViewQuery } from '../protocol/signals.js';
import type { ChainNode, ChainSpec, ChainStepSpec, ChainView, StepRecord } from '../protocol/chain.js';
import { resolveJobSpec } from './job-input.js';
import { workflowView } from './workflow-view.js';
import { WORKFLOW } from '../protocol/workflow-types.js';

/** Reads a YAML or JSON chain file; every problem is a UsageError naming the field and value (nothing starts). */
export function loadChainFile(file: string, config: Config, cwd = process.cwd()): ChainSpec {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(
      `chain file: cannot read "${file}" (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new UsageError(
      `chain file "${file}": not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
  const parsed = ChainFileSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`invalid chain file "${file}":\n${describeIssues(parsed.error, raw)}`);
  return resolveChain(parsed.data, config, cwd);
}

export function resolveChain(chain: ChainFile, config: Config, cwd: string, chainId = newChainId()): ChainSpec {
  const nodes: ChainNode[] = chain.steps.map((node, i) =>
    'parallel' in node
      ? { parallel: node.parallel.map((s, j) => resolveStep(chain, s, `steps.${i}.parallel.${j}`, config, cwd)) }
      : { step: resolveStep(chain, node, `steps.${i}`, config, cwd) },
  );
  // '.': the workspaces live under the data dir of whichever host runs the chain (a fleet shares no paths).
  return { chainId, name: chain.name, task: chain.task, dataDir: '.', nodes };
}

/** A step's settings over the chain's defaults, resolved like `submit` would (backend installed, kind known, …). */
function resolveStep(chain: ChainFile, step: ChainStepInput, at: string, config: Config, cwd: string): ChainStepSpec {
  const defined = Object.fromEntries(Object.entries(step).filter(([, v]) => v !== undefined));
  const m = { ...chain.defaults, ...defined } as ChainStepInput;
  const raw = Object.fromEntries(
    Object.entries({
      prompt: m.prompt,
      kind: m.kind,
      backend: m.backend,
      lane: m.lane,
      repo: chain.repo,
      check: typeof m.check === 'string' ? m.check.split(/\s+/).filter(Boolean) : m.check,
      model: m.model,
      timeoutSeconds: m.timeoutSeconds,
      hangTimeoutSeconds: m.hangTimeoutSeconds,
      maxAttempts: m.maxAttempts,
      fixRounds: m.fixRounds,
      review: m.review,
      reviewRounds: m.reviewRounds,
      reviewModel: m.reviewModel,
    }).filter(([, v]) => v !== undefined),
  );
  try {
    return {
      id: step.id,
      job: resolveJobSpec(raw, config, cwd),
      onFailure: m.onFailure ?? 'stop',
      retries: m.retries ?? 0,
    };
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${at} (step "${step.id}"): ${err.message}`);
    throw err;
  }
}

export const newChainId = (): string => newJobId().replace(/^job-/, 'chain-');

export async function startChain(
  client: Client,
  config: Config,
  spec: ChainSpec,
): Promise<WorkflowHandle<typeof chainWorkflow>> {
  return client.workflow.start<typeof chainWorkflow>(WORKFLOW.chain, {
    workflowId: spec.chainId,
    taskQueue: config.temporal.taskQueue,
    args: [spec],
  });
}

/** The chain's final view (a failed chain carries it in its failure details). */
export async function chainOutcome(client: Client, chainId: string): Promise<{ view?: ChainView; error?: Error }> {
  try {
    return { view: await client.workflow.getHandle<typeof chainWorkflow>(chainId).result() };
  } catch (err) {
    const view = decodeFailure(err).chain;
    return { ...(view ? { view } : {}), error: err as Error };
  }
}

/** Each step's state: the live query while the chain runs, its outcome once it has closed. */
export async function chainStatus(client: Client, chainId: string): Promise<ChainView> {
  return workflowView(client, chainId, {
    workflowType: WORKFLOW.chain,
    noun: 'chain',
    query: chainViewQuery,
    outcome: chainOutcome,
    endedAs: (v, how, at) => ({ ...v, status: how, finishedAt: v.finishedAt ?? at, steps: v.steps.map(stoppedStep) }),
  });
}

/** A chain that ended by force: its running steps were cancelled with it, its pending ones never ran. */
function stoppedStep(s: StepRecord): StepRecord {
  if (s.state === 'running') return { ...s, state: 'cancelled' };
  return s.state === 'pending' ? { ...s, state: 'skipped' } : s;
}
