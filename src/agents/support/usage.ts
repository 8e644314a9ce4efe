// A CLI's usage report is the agent's word: a negative, non-finite or absurd figure is rejected, never stored
// (it would feed stats, budgets and the capacity window). One check, used by every parser and on every run's totals.
import type { TokenUsage } from '../../protocol/tokens.js';
import { usageProblem } from '../../support/usage-figures.js';
import type { ParsedRun } from '../contract.js';

export { MAX_COST_USD, MAX_TOKENS, usageProblem } from '../../support/usage-figures.js';

const TOKEN_KEYS = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;

/** Records a rejection on the run (once per distinct message; the list is bounded). */
export function rejectUsage(run: ParsedRun, problem: string): void {
  const list = (run.usageRejected ??= []);
  if (!list.includes(problem) && list.length < 20) list.push(problem);
}

/** A reported figure, or 0 (and a rejection on the run) when it is not a good one; absent → 0, not a rejection. */
export function usageFigure(run: ParsedRun, field: string, value: unknown): number {
  if (value === undefined || value === null) return 0;
  const problem = usageProblem(field, value);
  if (problem) rejectUsage(run, problem);
  return problem ? 0 : (value as number);
}

/**
 * A whole report (`{tokens?, costUsd?}`, e.g. a command's `{"nightshift": …}` line): all of it, or — when any
 * figure is bad — none of it (a report with one lie in it is not believed in part); the rejections go on the run.
 */
export function validReport(
  run: ParsedRun,
  report: { tokens?: Partial<Record<keyof TokenUsage, unknown>>; costUsd?: unknown },
): { tokens: TokenUsage; costUsd?: number } | undefined {
  const problems: string[] = [];
  const tokens = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  for (const key of TOKEN_KEYS) {
    const v = report.tokens?.[key];
    if (v === undefined) continue;
    const p = usageProblem(`tokens.${key}`, v);
    if (p) problems.push(p);
    else tokens[key] = v as number;
  }
  const cost = report.costUsd;
  const costProblem = cost === undefined ? undefined : usageProblem('costUsd', cost);
  if (costProblem) problems.push(costProblem);
  for (const p of problems) rejectUsage(run, p);
  if (problems.length > 0) return undefined;
  return cost === undefined ? { tokens } : { tokens, costUsd: cost as number };
}

/**
 * The run's totals checked before they are kept (a parser's arithmetic — a baseline subtracted, sums — may still
 * come out bad): a bad token count becomes 0, a bad cost unknown, each with a rejection. In place.
 */
export function checkTotals(run: ParsedRun): void {
  for (const key of TOKEN_KEYS) {
    const p = usageProblem(`tokens.${key}`, run.tokens[key]);
    if (!p) continue;
    rejectUsage(run, p);
    run.tokens[key] = 0;
  }
  if (run.costUsd === undefined) return;
  const p = usageProblem('costUsd', run.costUsd);
  if (!p) return;
  rejectUsage(run, p);
  delete run.costUsd;
}
