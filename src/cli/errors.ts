// The CLI's error layer: every expected failure is one line saying what and how to fix it, with its exit code
// (2 usage, 3 engine unreachable, 1 anything else); the stack trace only with --debug.
import { QueryNotRegisteredError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { EngineUnreachableError } from '../client/connect.js';
import { LedgerUnreachableError } from '../ledger/pool.js';
import { UsageError } from '../support/usage-error.js';

export const EXIT = { failed: 1, usage: 2, unreachable: 3 } as const;

/** What the person reads, and the exit code; `hint` says how to see more. */
function classify(err: unknown): { line: string; code: number; hint: boolean } {
  if (err instanceof UsageError) return { line: err.message, code: EXIT.usage, hint: false };
  if (err instanceof EngineUnreachableError) return { line: err.message, code: EXIT.unreachable, hint: false };
  if (err instanceof LedgerUnreachableError) return { line: err.message, code: EXIT.unreachable, hint: false };
  if (err instanceof WorkflowNotFoundError) {
    return { line: `id: no job, chain, compare or session "${err.workflowId}"`, code: EXIT.usage, hint: false };
  }
  if (err instanceof QueryNotRegisteredError) {
    return {
      line: `id: that workflow is not the kind this command reads (${err.message})`,
      code: EXIT.usage,
      hint: false,
    };
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return { line: `id: "${err.workflowId}" already exists; pick another --id`, code: EXIT.usage, hint: false };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { line: message.split('\n')[0] ?? message, code: EXIT.failed, hint: true };
}

/** Prints the error for a person (or the full trace with --debug) and returns the exit code. */
export function reportError(err: unknown, debug: boolean): number {
  const { line, code, hint } = classify(err);
  if (debug) process.stderr.write(`nightshift: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  else process.stderr.write(`nightshift: ${line}${hint ? ' (run again with --debug for the stack trace)' : ''}\n`);
  return code;
}
