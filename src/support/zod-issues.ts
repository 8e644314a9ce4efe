import { z } from 'zod';

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur = input;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** z.prettifyError's lines, each also naming the value it got, so a person sees field and value. */
export function describeIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.') || '(top level)';
      const value = valueAt(input, issue.path);
      const got =
        issue.code === 'unrecognized_keys'
          ? ''
          : value === undefined
            ? ' (missing)'
            : ` (got ${JSON.stringify(value)})`;
      return `✖ ${issue.message}${got}\n  → at ${path}`;
    })
    .join('\n');
}
