// The workflow bundle's entry: every workflow type the worker registers.
export { jobWorkflow } from './job/workflow.js';
export { capacityWorkflow } from './capacity/workflow.js';
export { sessionWorkflow } from './session/workflow.js';
export { chainWorkflow } from './chain/workflow.js';
export { compareWorkflow } from './compare/workflow.js';
export { scheduledJobWorkflow } from './schedule/workflow.js';
export { landWorkflow } from './land/workflow.js';
export { digestWorkflow, notifyWorkflow } from './notify/workflow.js';
