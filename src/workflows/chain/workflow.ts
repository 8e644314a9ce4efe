// A chain: steps in order in one workspace/branch, `parallel:` blocks side by side in their own worktrees.
// Each step is a child job workflow; finished steps live in the history, so a replay or retry never reruns them.
import { setHandler } from '@temporalio/workflow';
import { encodeFailure, FailureClass } from '../../protocol/failures.js';
import { runStep } from './step.js';
import { addTokens } from '../../protocol/tokens.js';
import { chainViewQuery } from '../../protocol/signals.js';
import { hostOf, newChainView, outputsOf, recordOf, stepsOf } from './state.js';
import type { ChainSpec, ChainView } from '../../protocol/chain.js';

export async function chainWorkflow(spec: ChainSpec): Promise<ChainView> {
  const view = newChainView(spec, Date.now());
  setHandler(chainViewQuery, () => view);
  let stoppedBy: string | undefined;
  for (const node of spec.nodes) {
    const group = stepsOf(node);
    if (stoppedBy) {
      for (const s of group) recordOf(view, s.id).state = 'skipped';
      continue;
    }
    const outputs = outputsOf(view);
    const host = hostOf(view);
    // Every branch of a block runs to its end, so the chain keeps each finished result even when one fails.
    await Promise.all(
      group.map((step) =>
        runStep({ spec, step, rec: recordOf(view, step.id), outputs, parallel: 'parallel' in node, host }),
      ),
    );
    stoppedBy = group.find((s) => s.onFailure === 'stop' && recordOf(view, s.id).state === 'failed')?.id;
  }
  for (const s of view.steps) addTokens(view.tokens, s.tokens);
  view.finishedAt = Date.now();
  view.status = stoppedBy ? 'failed' : 'succeeded';
  if (stoppedBy) {
    const why = recordOf(view, stoppedBy).result?.failureClass ?? 'unknown';
    throw encodeFailure(
      FailureClass.ChainFailed,
      `chain ${spec.chainId} stopped: step "${stoppedBy}" failed (${why})`,
      {
        nonRetryable: true,
        details: view,
      },
    );
  }
  return view;
}
