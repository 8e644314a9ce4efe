// A job's caps on one agent run's live usage (`--max-tokens`, `--max-cost`): which one its parsed run has passed.
import { FailureClass } from '../protocol/failures.js';
import type { JobSpec } from '../protocol/job.js';
import type { ParsedRun, Verdict } from './contract.js';

/**
 * The tokens a cap counts: input + output as the parser counts them (cache reads and writes left out — they are
 * billed apart and a long session's cache reads would pass any cap on their own).
 */
export const cappedTokens = (run: Pick<ParsedRun, 'tokens'>): number => run.tokens.input + run.tokens.output;

/** Why the run passed its spec's caps (naming the cap and the usage), or undefined while it is under them. */
export function budgetPassed(
  spec: Pick<JobSpec, 'maxTokens' | 'maxCostUsd'>,
  run: Pick<ParsedRun, 'tokens' | 'costUsd'>,
): string | undefined {
  const tokens = cappedTokens(run);
  if (spec.maxTokens !== undefined && tokens > spec.maxTokens)
    return `token cap ${spec.maxTokens} passed: ${tokens} tokens (input+output)`;
  // Cost counts only where the CLI reports it (claude: in its final result; others never).
  if (spec.maxCostUsd !== undefined && run.costUsd !== undefined && run.costUsd > spec.maxCostUsd)
    return `cost cap $${spec.maxCostUsd} passed: $${run.costUsd.toFixed(4)}`;
  return undefined;
}

/** The failure of a run stopped at its cap: not retried (another attempt would spend as much again). */
export function budgetVerdict(message: string): Extract<Verdict, { ok: false }> {
  return { ok: false, type: FailureClass.BudgetExceeded, message: `${message}; process group stopped` };
}
