// A tool's answer as MCP wants it: the value as JSON text (and structured), or a tool error naming the field.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { WorkflowNotFoundError } from '@temporalio/client';
import { UsageError } from '../support/usage-error.js';

export async function answer(fn: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    const value = await fn();
    return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
  } catch (err) {
    // Bad input and unknown ids are the caller's to fix: say what, as the CLI does; anything else is the engine's.
    const text =
      err instanceof UsageError
        ? err.message
        : err instanceof WorkflowNotFoundError
          ? `jobId: no job "${err.workflowId ?? ''}"`
          : `nightshift: ${err instanceof Error ? err.message : String(err)}`;
    return { content: [{ type: 'text', text }], isError: true };
  }
}
