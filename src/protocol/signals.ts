// Every signal and query: the wire protocol between job workflows, the singletons (capacity, sessions),
// chains, compares and clients. Both sides import these definitions; the CLI reads their `.name`.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type {
  BackendAuthBrokenInput,
  BackendClearedInput,
  BackendLimitInput,
  CapacitySettings,
  CapacityView,
  LeaseGrant,
  LeaseReleaseInput,
  LeaseRequestInput,
} from './capacity.js';
import type { ChainView } from './chain.js';
import type { CompareView } from './compare.js';
import type { JobSpec } from './job.js';
import type { LandRequest, LandView } from './land.js';
import type { JobProgress } from './result.js';
import type { SessionJobRecord, SessionView } from './session.js';

// Capacity singleton ← jobs and operators.
export const requestLeaseSignal = defineSignal<[LeaseRequestInput]>('requestLease');
export const releaseLeaseSignal = defineSignal<[LeaseReleaseInput]>('releaseLease');
export const reconfigureSignal = defineSignal<[Partial<CapacitySettings>]>('reconfigure');
export const backendLimitedSignal = defineSignal<[BackendLimitInput]>('backendLimited');
export const backendAuthBrokenSignal = defineSignal<[BackendAuthBrokenInput]>('backendAuthBroken');
export const backendClearedSignal = defineSignal<[BackendClearedInput]>('backendCleared');
export const capacityQuery = defineQuery<CapacityView>('capacity');

// Job workflow ← capacity singleton and clients.
export const leaseGrantedSignal = defineSignal<[LeaseGrant]>('leaseGranted');
export const progressQuery = defineQuery<JobProgress>('progress');

// Warm session ← clients.
export const sessionSubmitSignal = defineSignal<[JobSpec]>('sessionSubmit');
export const sessionCloseSignal = defineSignal('sessionClose');
export const sessionViewQuery = defineQuery<SessionView>('session');
export const sessionJobQuery = defineQuery<SessionJobRecord | undefined, [string]>('sessionJob');

// Chains and compares ← clients.
export const chainViewQuery = defineQuery<ChainView>('chainView');
export const compareViewQuery = defineQuery<CompareView>('compareView');

// Merge queue ← clients and jobs that land when they succeed.
export const landRequestSignal = defineSignal<[LandRequest]>('landRequest');
export const landViewQuery = defineQuery<LandView>('landView');
