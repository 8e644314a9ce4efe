export const CAPACITY_WORKFLOW_ID = 'nightshift-capacity';

/** One capacity singleton per deployment (task queue): `nightshift-capacity` for the default queue. */
export function capacityWorkflowId(taskQueue: string): string {
  return taskQueue === 'nightshift' ? CAPACITY_WORKFLOW_ID : `${CAPACITY_WORKFLOW_ID}-${taskQueue}`;
}

/** Readable workflow ids: `job-<8 hex>`. */
export function newJobId(random: () => number = Math.random): string {
  const hex = Array.from({ length: 8 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `job-${hex}`;
}
