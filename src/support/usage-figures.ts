// The one test of a usage figure (a token count, a cost): an agent's report is believed only if it passes.
// Parsers (src/agents/support/usage.ts) and the ledger's record (src/ledger/entry.ts) both use it.

/** No one run spends more than this: a report past it is a lie or a bug. */
export const MAX_TOKENS = 1e9;
export const MAX_COST_USD = 1e6;

/** Why `value` is no figure for `field` (`costUsd` or a token count), or undefined when it is a good one. */
export function usageProblem(field: string, value: unknown): string | undefined {
  const max = field === 'costUsd' ? MAX_COST_USD : MAX_TOKENS;
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max;
  return ok ? undefined : `usage rejected: ${field}=${shown(value)}`;
}

const shown = (v: unknown): string =>
  (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v))).slice(0, 60);
