// A job's end, to the webhooks that want it: the notify workflow as an abandoned child, `notify-<jobId>`.
import type { JobSpec } from '../../protocol/job.js';
import { jobEnded, notifyWorkflowId } from '../../protocol/notify.js';
import type { JobResult } from '../../protocol/result.js';
import { startNotification } from './child.js';

export async function notifyEnded(spec: JobSpec, result: JobResult): Promise<void> {
  const notify = spec.notify;
  if (!notify || (notify.statuses && !notify.statuses.includes(result.status))) return;
  await startNotification(notifyWorkflowId(spec.jobId), { notification: jobEnded(result), retry: notify.retry });
}
