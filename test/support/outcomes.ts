// Assertions on how a job ended, read from the client and the workflow history.
import assert from 'node:assert/strict';
import { ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';

/** The job's failure: ApplicationFailure(type = failure class) whose cause is the activity failure. */
export async function jobFailure(client: Client, jobId: string): Promise<ApplicationFailure> {
  const err = await client.workflow
    .getHandle(jobId)
    .result()
    .then(
      () => assert.fail('job should have failed'),
      (e: unknown) => e,
    );
  assert.ok(err instanceof WorkflowFailedError);
  assert.ok(err.cause instanceof ApplicationFailure);
  return err.cause;
}

/** The failure type that the given agent attempt saw from the previous one (history: ActivityTaskStarted.lastFailure). */
export async function previousAttemptFailure(
  client: Client,
  jobId: string,
  attempt: number,
): Promise<string | undefined> {
  const history = await client.workflow.getHandle(jobId).fetchHistory();
  const started = history.events?.find((e) => e.activityTaskStartedEventAttributes?.attempt === attempt);
  return started?.activityTaskStartedEventAttributes?.lastFailure?.applicationFailureInfo?.type ?? undefined;
}
