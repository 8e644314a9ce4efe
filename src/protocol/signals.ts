// Signals and queries: the wire protocol between job workflows, the capacity singleton and clients.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JobProgress, Lane } from './job.js';
import type { CapacitySettings } from '../workflows/capacity/state.js';
import type { CapacityView } from '../workflows/capacity/view.js';

export interface LeaseRequestInput {
  jobId: string;
  lane: Lane;
  kind: string;
  estimate: number;
  requestedAt: number;
}

export interface LeaseReleaseInput {
  jobId: string;
  /** Tokens the CLI reported; omitted when unknown (the estimate stays booked). */
  tokensUsed?: number;
}

export interface LeaseGrant {
  jobId: string;
  grantedAt: number;
  /** Backends known to be rate-limited or out of quota, until (epoch ms): new jobs skip them. */
  limitedBackends?: Record<string, number>;
}

export interface BackendLimitInput {
  backend: string;
  until: number;
}

export const requestLeaseSignal = defineSignal<[LeaseRequestInput]>('requestLease');
export const releaseLeaseSignal = defineSignal<[LeaseReleaseInput]>('releaseLease');
export const reconfigureSignal = defineSignal<[Partial<CapacitySettings>]>('reconfigure');
export const backendLimitedSignal = defineSignal<[BackendLimitInput]>('backendLimited');
export const leaseGrantedSignal = defineSignal<[LeaseGrant]>('leaseGranted');

export const capacityQuery = defineQuery<CapacityView>('capacity');
export const progressQuery = defineQuery<JobProgress>('progress');
