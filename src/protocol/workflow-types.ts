// Workflow type names (Temporal keys workflows by exported function name): clients start and list by these.
// src/worker/worker.ts checks at compile time that the workflow bundle exports exactly these names.

export const WORKFLOW = {
  job: 'jobWorkflow',
  capacity: 'capacityWorkflow',
  session: 'sessionWorkflow',
  chain: 'chainWorkflow',
  compare: 'compareWorkflow',
  scheduledJob: 'scheduledJobWorkflow',
  land: 'landWorkflow',
  notify: 'notifyWorkflow',
  digest: 'digestWorkflow',
} as const;

export type WorkflowTypeName = (typeof WORKFLOW)[keyof typeof WORKFLOW];
