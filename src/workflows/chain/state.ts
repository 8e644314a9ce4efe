// A chain's pure rules: its steps, their workspaces and records (the wire types are in src/protocol/chain.ts).
import type { ChainNode, ChainSpec, ChainStepSpec, ChainView, StepRecord } from '../../protocol/chain.js';
import { emptyTokens } from '../../protocol/tokens.js';

export const stepsOf = (node: ChainNode): ChainStepSpec[] => ('step' in node ? [node.step] : node.parallel);

/** Sequential steps share one workspace and branch; a parallel step gets its own. */
export function workspaceOf(spec: ChainSpec, stepId: string | undefined): { workspacePath: string; branch: string } {
  const base = `${spec.dataDir}/chains/${spec.chainId}`;
  if (stepId === undefined) return { workspacePath: `${base}/workspace`, branch: `nightshift/${spec.chainId}` };
  return { workspacePath: `${base}/parallel/${stepId}`, branch: `nightshift/${spec.chainId}-${stepId}` };
}

export function newChainView(spec: ChainSpec, now: number): ChainView {
  const steps = spec.nodes.flatMap((node) =>
    stepsOf(node).map((s): StepRecord => ({
      id: s.id,
      parallel: 'parallel' in node,
      state: 'pending',
      jobIds: [],
      attempts: 0,
      tokens: emptyTokens(),
      failures: [],
    })),
  );
  return {
    chainId: spec.chainId,
    name: spec.name,
    status: 'running',
    ...wsView(spec),
    startedAt: now,
    tokens: emptyTokens(),
    steps,
  };
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

/** Where the chain's workspace lives: the host of the latest step that ran (later steps pin to it). */
export function hostOf(view: ChainView): string | undefined {
  return [...view.steps].reverse().find((s) => s.result?.host)?.result?.host;
}
