// A schedule's action input: the job each run starts.
import type { JobSpec } from './job.js';

export interface ScheduledJobInput {
  schedule: string;
  /** `sched-<name>` (with the task queue when it is not the default): each run's job id starts with it. */
  jobIdPrefix: string;
  /** The job as validated when the schedule was added; its jobId is replaced per run. */
  spec: JobSpec;
}
