// The status of a long-running workflow (chain, compare): its final view once closed, else its live query.
import { WorkflowNotFoundError, type Client, type QueryDefinition } from '@temporalio/client';
import { UsageError } from '../support/usage-error.js';

export interface ViewSource<V> {
  /** The workflow type the id must name, and the word for it in errors ("chain", "compare"). */
  workflowType: string;
  noun: string;
  query: QueryDefinition<V>;
  /** The closed workflow's view, when its result (or failure details) carries one. */
  outcome(client: Client, id: string): Promise<{ view?: V }>;
}

export async function workflowView<V>(client: Client, id: string, src: ViewSource<V>): Promise<V> {
  const handle = client.workflow.getHandle(id);
  let described;
  try {
    described = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UsageError(`${src.noun} id: no ${src.noun} "${id}"`);
    throw err;
  }
  if (described.type !== src.workflowType)
    throw new UsageError(`${src.noun} id: "${id}" is a ${described.type}, not a ${src.noun}`);
  if (described.status.name !== 'RUNNING') {
    const { view } = await src.outcome(client, id);
    if (view) return view;
  }
  return handle.query(src.query);
}
