// Schedules at the edge: a named cron that submits one job per run (Temporal Schedules, overlap: skip).
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleSummary,
} from '@temporalio/client';
import type { Config } from '../config/schema.js';
import { scheduleScope } from '../protocol/ids.js';
import { jobIdOfRun } from './scheduled-runs.js';
import type { JobSpec } from '../protocol/job.js';
import { UsageError } from '../support/usage-error.js';
import type { ScheduledJobInput } from '../protocol/schedule.js';
import type { scheduledJobWorkflow } from '../workflows/schedule/workflow.js';
import { WORKFLOW } from '../protocol/workflow-types.js';

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** Ids carry the task queue (one deployment's schedules apart from another's), like the capacity singleton. */
const scope = (config: Config): string => scheduleScope(config.temporal.taskQueue);
export const scheduleIdOf = (config: Config, name: string): string => `nightshift-${scope(config)}${name}`;
const runWorkflowIdOf = (config: Config, name: string): string => `sched-${scope(config)}${name}`;

export function checkScheduleName(name: string | undefined): string {
  if (!name)
    throw new UsageError(
      'schedule name: missing (e.g. `nightshift schedule add nightly --cron "0 2 * * *" -- "<prompt>"`)',
    );
  if (!NAME.test(name))
    throw new UsageError(`schedule name: "${name}" must be lowercase letters, digits and dashes (at most 40)`);
  return name;
}

export interface ScheduleRequest {
  name: string;
  cron: string;
  timezone?: string;
  spec: JobSpec;
}

export async function addSchedule(client: Client, config: Config, req: ScheduleRequest): Promise<string> {
  const input: ScheduledJobInput = {
    schedule: req.name,
    jobIdPrefix: runWorkflowIdOf(config, req.name),
    spec: { ...req.spec, jobId: '' },
  };
  const scheduleId = scheduleIdOf(config, req.name);
  try {
    await client.schedule.create<typeof scheduledJobWorkflow>({
      scheduleId,
      spec: { cronExpressions: [req.cron], ...(req.timezone ? { timezone: req.timezone } : {}) },
      action: {
        type: 'startWorkflow',
        workflowType: WORKFLOW.scheduledJob,
        workflowId: runWorkflowIdOf(config, req.name),
        taskQueue: config.temporal.taskQueue,
        args: [input],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      memo: {
        cron: req.cron,
        timezone: req.timezone ?? 'UTC',
        prompt: req.spec.prompt.slice(0, 200),
        backend: req.spec.backend,
        kind: req.spec.kind,
        lane: req.spec.lane,
      },
    });
  } catch (err) {
    throw scheduleError(err, req);
  }
  return scheduleId;
}

/** The server validates the cron and the name's uniqueness: both are the person's input, so usage errors. */
function scheduleError(err: unknown, req: ScheduleRequest): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ScheduleAlreadyRunning)
    return new UsageError(`schedule name: "${req.name}" already exists (delete it first)`);
  // The client turns the server's INVALID_ARGUMENT (a bad cron field or timezone) into a TypeError.
  if (err instanceof TypeError)
    return new UsageError(
      `--cron: "${req.cron}"${req.timezone ? ` (timezone ${req.timezone})` : ''} was rejected: ${message}`,
    );
  return err instanceof Error ? err : new Error(message);
}

export interface ScheduleListing {
  name: string;
  scheduleId: string;
  cron: string;
  timezone: string;
  paused: boolean;
  note?: string;
  prompt: string;
  backend: string;
  lane: string;
  nextRuns: string[];
  /** `jobId` is the job the run started (what `status` and `history` take); `workflowId` is the run itself. */
  recentRuns: { scheduledAt: string; workflowId: string; jobId?: string }[];
}

export async function listSchedules(client: Client, config: Config): Promise<ScheduleListing[]> {
  const prefix = scheduleIdOf(config, '');
  const out: ScheduleListing[] = [];
  for await (const s of client.schedule.list()) {
    if (!s.scheduleId.startsWith(prefix) || !NAME.test(s.scheduleId.slice(prefix.length))) continue;
    out.push(await listingOf(client, s, s.scheduleId.slice(prefix.length)));
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

async function listingOf(client: Client, s: ScheduleSummary, name: string): Promise<ScheduleListing> {
  const memo = (s.memo ?? {}) as Record<string, string | undefined>;
  return {
    name,
    scheduleId: s.scheduleId,
    cron: memo['cron'] ?? '?',
    timezone: memo['timezone'] ?? 'UTC',
    paused: s.state.paused,
    ...(s.state.note ? { note: s.state.note } : {}),
    prompt: memo['prompt'] ?? '',
    backend: memo['backend'] ?? '',
    lane: memo['lane'] ?? '',
    nextRuns: s.info.nextActionTimes.map((d) => d.toISOString()),
    recentRuns: await Promise.all(
      s.info.recentActions.map(async (a) => {
        const { workflowId, firstExecutionRunId } = a.action.workflow;
        const jobId = await jobIdOfRun(client, workflowId, firstExecutionRunId);
        return { scheduledAt: a.scheduledAt.toISOString(), workflowId, ...(jobId ? { jobId } : {}) };
      }),
    ),
  };
}

/** pause, unpause, trigger (run now) or delete; a name that does not exist is a usage error. */
export async function controlSchedule(
  client: Client,
  config: Config,
  name: string,
  op: 'pause' | 'unpause' | 'trigger' | 'delete',
  note?: string,
): Promise<void> {
  const handle = client.schedule.getHandle(scheduleIdOf(config, name));
  try {
    if (op === 'pause') await handle.pause(note ?? 'paused from the nightshift CLI');
    else if (op === 'unpause') await handle.unpause(note ?? 'resumed from the nightshift CLI');
    else if (op === 'trigger')
      await handle.trigger(ScheduleOverlapPolicy.SKIP); // a manual run obeys the same overlap policy
    else await handle.delete();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError || /not found/i.test(String(err)))
      throw new UsageError(`schedule name: no schedule "${name}"`);
    throw err;
  }
}
