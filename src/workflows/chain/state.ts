// A chain's spec (resolved at the edge), its per-step records and the query that shows them.
import { defineQuery } from '@temporalio/workflow';
import { emptyTokens, type JobResult, type JobSpec, type TokenUsage } from '../../protocol/job.js';

export interface ChainStepSpec {
  id: string;
  /** The step's job as resolved from the chain file; `prompt` holds the template, jobId/workspace are set per run. */
  job: JobSpec;
  onFailure: 'stop' | 'continue';
  /** Reruns of a failed step, each a fresh child job (`<chainId>-<stepId>-2`, …). */
  retries: number;
}

export type ChainNode = { step: ChainStepSpec } | { parallel: ChainStepSpec[] };

export interface ChainSpec {
  chainId: string;
  name: string;
  task: string;
  /** Absolute data dir: the chain's workspaces live under `<dataDir>/chains/<chainId>/`. */
  dataDir: string;
  nodes: ChainNode[];
}

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StepFailure {
  jobId: string;
  status: JobResult['status'];
  failureClass?: string;
  failureMessage?: string;
}

export interface StepRecord {
  id: string;
  /** Set for the steps of a `parallel:` block (each in its own worktree). */
  parallel: boolean;
  state: StepState;
  /** The latest child job; every child job of this step, in order. */
  jobId?: string;
  jobIds: string[];
  attempts: number;
  startedAt?: number;
  durationMs?: number;
  /** Summed over every attempt, failed ones included. */
  tokens: TokenUsage;
  /** Earlier (and, for a failed step, the last) failed attempts. */
  failures: StepFailure[];
  /** The last attempt's JobResult; `result.finalText` is the step's output. */
  result?: JobResult;
}

export interface ChainView {
  chainId: string;
  name: string;
  status: 'running' | 'succeeded' | 'failed';
  workspace: string;
  branch: string;
  startedAt: number;
  finishedAt?: number;
  tokens: TokenUsage;
  steps: StepRecord[];
}

export const chainViewQuery = defineQuery<ChainView>('chainView');

export const stepsOf = (node: ChainNode): ChainStepSpec[] => ('step' in node ? [node.step] : node.parallel);

/** Sequential steps share one workspace and branch; a parallel step gets its own. */
export function workspaceOf(spec: ChainSpec, stepId: string | undefined): { workspacePath: string; branch: string } {
  const base = `${spec.dataDir}/chains/${spec.chainId}`;
  if (stepId === undefined) return { workspacePath: `${base}/workspace`, branch: `nightshift/${spec.chainId}` };
  return { workspacePath: `${base}/parallel/${stepId}`, branch: `nightshift/${spec.chainId}-${stepId}` };
}

export function newChainView(spec: ChainSpec, now: number): ChainView {
  const steps = spec.nodes.flatMap((node) =>
    stepsOf(node).map((s): StepRecord => ({ id: s.id, parallel: 'parallel' in node, state: 'pending', jobIds: [], attempts: 0, tokens: emptyTokens(), failures: [] })),
  );
  return { chainId: spec.chainId, name: spec.name, status: 'running', ...wsView(spec), startedAt: now, tokens: emptyTokens(), steps };
}

const wsView = (spec: ChainSpec) => {
  const ws = workspaceOf(spec, undefined);
  return { workspace: ws.workspacePath, branch: ws.branch };
};

export function recordOf(view: ChainView, stepId: string): StepRecord {
  const rec = view.steps.find((s) => s.id === stepId);
  if (!rec) throw new Error(`no step ${stepId}`); // unreachable: the view is built from the spec
  return rec;
}

/** Outputs of the steps that have a result, for template rendering. */
export function outputsOf(view: ChainView): Record<string, string> {
  return Object.fromEntries(view.steps.filter((s) => s.result).map((s) => [s.id, s.result?.finalText ?? '']));
}

export function addTokens(into: TokenUsage, t: TokenUsage): void {
  into.input += t.input;
  into.output += t.output;
  into.cacheRead += t.cacheRead;
  into.cacheWrite += t.cacheWrite;
}
