// The daily digest: a Temporal Schedule per deployment, made or brought up to date by each worker at start from
// `notify.digest`, and deleted when the config has none (removing it from the config stops it).
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { isDefaultQueue } from '../protocol/ids.js';
import type { DigestInput } from '../protocol/notify.js';
import { WORKFLOW } from '../protocol/workflow-types.js';
import { logger } from '../support/logger.js';
import type { digestWorkflow } from '../workflows/index.js';

const log = logger('notify');

/** `nightshift-digest.<queue>`: the dot keeps it out of `nightshift schedule list` (names have none). */
export function digestScheduleId(taskQueue: string): string {
  return `nightshift-digest.${taskQueue}`;
}

/** Never stops a worker from starting: a schedule that cannot be written now is logged. */
export async function syncDigestSchedule(client: Client, config: Config): Promise<void> {
  const handle = client.schedule.getHandle(digestScheduleId(config.temporal.taskQueue));
  const digest = config.notify.digest;
  try {
    if (!digest) {
      await handle.delete();
      log.info({ scheduleId: handle.scheduleId }, 'digest schedule deleted (notify.digest is unset)');
      return;
    }
    const options = {
      spec: { cronExpressions: [digest.cron], timezone: digest.timezone },
      action: digestAction(config),
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    };
    try {
      await client.schedule.create({ scheduleId: handle.scheduleId, ...options });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      // Another host made it, or an older config did: this worker's config wins, its pause state stays.
      await handle.update<typeof digestWorkflow>((prev) => ({ ...prev, ...options }));
    }
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return;
    log.warn({ scheduleId: handle.scheduleId, error: String(err) }, 'digest schedule not written');
  }
}

function digestAction(config: Config): ScheduleOptionsStartWorkflowAction<typeof digestWorkflow> {
  const { taskQueue } = config.temporal;
  const input: DigestInput = { retry: { ...config.notify.retry } };
  return {
    type: 'startWorkflow',
    workflowType: WORKFLOW.digest,
    // Each run's id is this plus its scheduled time (the server appends it).
    workflowId: isDefaultQueue(taskQueue) ? 'notify-digest' : `notify-digest.${taskQueue}`,
    taskQueue,
    args: [input],
  };
}
