// The workflow bundle's entry: every workflow type the worker registers.
export { jobWorkflow } from './job.js';
export { capacityWorkflow } from './capacity.js';
export { sessionWorkflow } from './session.js';
export { chainWorkflow } from './chain.js';
export { compareWorkflow } from './compare.js';
export { scheduledJobWorkflow } from './scheduled-job.js';
