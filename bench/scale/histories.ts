// What the capacity singleton's histories say: its events across continue-as-new runs, its workflow-task latency.
import type { Client, WorkflowHandle } from '@temporalio/client';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** Every run of the workflow id (each continue-as-new is one), newest first. */
async function runsOf(client: Client, workflowId: string) {
  const runs = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(wf);
  return runs;
}

/** Events the singleton has written so far, over all its runs (the running one as the server counts it now). */
export async function singletonEvents(client: Client, workflowId: string): Promise<number> {
  let total = 0;
  for (const run of await runsOf(client, workflowId)) {
    if (run.status.name !== 'RUNNING') total += run.historyLength;
    else total += (await client.workflow.getHandle(workflowId, run.runId).describe()).historyLength;
  }
  return total;
}

const msOf = (t: HistoryEvent['eventTime']): number => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

/** Each workflow task scheduled since `from` (epoch ms): scheduled → completed, in ms. */
export async function taskLatencies(client: Client, workflowId: string, from: number): Promise<number[]> {
  const out: number[] = [];
  for (const run of await runsOf(client, workflowId)) {
    if (run.closeTime && run.closeTime.getTime() < from) continue;
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    const scheduled = new Map<number, number>();
    for (const e of history.events ?? []) {
      const at = msOf(e.eventTime);
      if (e.workflowTaskScheduledEventAttributes && at >= from) scheduled.set(Number(e.eventId), at);
      const done = e.workflowTaskCompletedEventAttributes?.scheduledEventId;
      const start = done !== undefined && done !== null ? scheduled.get(Number(done)) : undefined;
      if (start !== undefined) out.push(at - start);
    }
  }
  return out;
}
