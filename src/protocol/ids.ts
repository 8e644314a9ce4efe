// Workflow ids and the default-queue rule: one deployment (task queue) never sees another's singletons.

/** The task queue a deployment uses unless configured otherwise; its ids carry no queue suffix. */
export const DEFAULT_TASK_QUEUE = 'nightshift';
export const isDefaultQueue = (taskQueue: string): boolean => taskQueue === DEFAULT_TASK_QUEUE;

export const CAPACITY_WORKFLOW_ID = 'nightshift-capacity';

/** One capacity singleton per deployment: `nightshift-capacity` for the default queue. */
export function capacityWorkflowId(taskQueue: string): string {
  return isDefaultQueue(taskQueue) ? CAPACITY_WORKFLOW_ID : `${CAPACITY_WORKFLOW_ID}-${taskQueue}`;
}

export const SESSION_NAME = /^[a-z0-9][a-z0-9-]{0,47}$/;

/** `session-<name>` on the default task queue; other queues get their own (names never contain a dot). */
export function sessionWorkflowId(name: string, taskQueue: string): string {
  return isDefaultQueue(taskQueue) ? `session-${name}` : `session-${name}.${taskQueue}`;
}

/** The part of a schedule's ids that names its deployment: empty on the default queue. */
export const scheduleScope = (taskQueue: string): string =>
  isDefaultQueue(taskQueue) ? '' : `${taskQueue.toLowerCase()}-`;

/**
 * `job-<prefix>-<run start, to the second>`: from the history (not the run's workflow id, which holds colons
 * that branch names reject), so a replay under any id makes the same child.
 */
export function scheduledJobId(prefix: string, startTime: Date): string {
  return `job-${prefix}-${startTime
    .toISOString()
    .slice(0, 19)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')}z`;
}

/** Readable workflow ids: `job-<8 hex>`. */
export function newJobId(random: () => number = Math.random): string {
  const hex = Array.from({ length: 8 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `job-${hex}`;
}

/** The task queue only one worker host polls: activities that touch a job's workspace go there. */
export function hostQueue(taskQueue: string, hostId: string): string {
  return `${taskQueue}@${hostId}`;
}

/** Host ids name queues, directories and ledger rows: letters, digits, dot, dash, underscore. */
export const HOST_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A worker's Temporal identity: `<hostId>@<pid>`; the host id is what names it in the fleet. */
export const workerIdentity = (hostId: string, pid: number): string => `${hostId}@${pid}`;
export const hostOfIdentity = (identity: string): string => identity.split('@')[0] ?? identity;
