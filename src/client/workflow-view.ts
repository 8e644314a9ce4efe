// The status of a long-running workflow (chain, compare): its final view once closed, else its live query.
import { WorkflowNotFoundError, type Client, type QueryDefinition } from '@temporalio/client';
import type { EndedWithoutResult } from '../protocol/chain.js';
import { UsageError } from '../support/usage-error.js';

export interface ViewSource<V> {
  /** The workflow type the id must name, and the word for it in errors ("chain", "compare"). */
  workflowType: string;
  noun: string;
  query: QueryDefinition<V>;
  /** The closed workflow's view, when its result (or failure details) carries one. */
  outcome(client: Client, id: string): Promise<{ view?: V }>;
  /** The last state of a workflow that ended without a view (its query still says `running`), marked as ended. */
  endedAs(view: V, how: EndedWithoutResult, at: number): V;
}

/** Temporal's close statuses for a workflow that could not record its own end. */
const ENDED: Record<string, EndedWithoutResult> = {
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed-out',
};

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
  if (described.status.name === 'RUNNING') return handle.query(src.query);
  const { view } = await src.outcome(client, id);
  if (view) return view;
  const last = await handle.query(src.query);
  const how = ENDED[described.status.name] ?? 'terminated';
  return src.endedAs(last, how, described.closeTime?.getTime() ?? Date.now());
}
