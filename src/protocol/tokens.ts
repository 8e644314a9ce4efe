// Token arithmetic shared by the capacity budget, sessions, chains and results.

export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export const emptyTokens = (): TokenUsage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

/** Tokens charged to the capacity budget: cache reads are excluded (they do not count toward rate limits). */
export const chargedTokens = (t: TokenUsage): number => t.input + t.output + t.cacheWrite;

/** Adds `t` into `into` (in place). */
export function addTokens(into: TokenUsage, t: TokenUsage): void {
  into.input += t.input;
  into.output += t.output;
  into.cacheRead += t.cacheRead;
  into.cacheWrite += t.cacheWrite;
}

/** A new sum of two usages. */
export const sumTokens = (a: TokenUsage, b: TokenUsage): TokenUsage => {
  const out = { ...a };
  addTokens(out, b);
  return out;
};
