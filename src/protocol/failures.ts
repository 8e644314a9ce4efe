// Failure classes — the ApplicationFailure `type` names retry policies match — and the one encode/decode pair
// for the details a failure carries. Workflow-safe: @temporalio/common only.
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, TimeoutFailure } from '@temporalio/common';
import type { ChainView } from './chain.js';
import type { JobResult } from './result.js';

export const FailureClass = {
  // An agent run's classification (the agent activity).
  RateLimited: 'RateLimited',
  QuotaExhausted: 'QuotaExhausted',
  AuthFailed: 'AuthFailed',
  BadRequest: 'BadRequest',
  AgentCrashed: 'AgentCrashed',
  AgentTimedOut: 'AgentTimedOut',
  NoResult: 'NoResult',
  WorkspaceFailed: 'WorkspaceFailed',
  WorkerShutdown: 'WorkerShutdown',
  /** The agent session to resume does not exist (expired, deleted, another machine). */
  SessionNotFound: 'SessionNotFound',
  /** The agent's live usage passed the job's token or cost cap (`--max-tokens`, `--max-cost`): stopped, kept. */
  BudgetExceeded: 'BudgetExceeded',
  /** The run passed a `sandbox.limits` ceiling (processes, memory): killed, not retried (it would pass it again). */
  ResourceLimit: 'ResourceLimit',
  /**
   * The worker's egress proxy refused the CLI's own traffic (its endpoint is not `baseUrl`, the vendor's, nor in
   * `sandbox.allowHosts`): the host's config, not the backend's key — never marks the backend auth-broken.
   */
  EgressDenied: 'EgressDenied',
  // A host's own trouble: the job's failure, never the worker's crash.
  /** The agent CLI's executable is not on this host (spawn ENOENT). */
  AgentNotFound: 'AgentNotFound',
  /** The job's directory vanished under a running job. */
  JobDirMissing: 'JobDirMissing',
  /** The host's disk is full (ENOSPC, EDQUOT). */
  DiskFull: 'DiskFull',
  /** The workspace or job dir cannot be written (EACCES, EPERM, EROFS). */
  WorkspaceUnwritable: 'WorkspaceUnwritable',
  // The fleet: which host holds a job's workspace.
  /** The job's local repo path is not on the host that tried it (another host may have it). */
  RepoNotOnHost: 'RepoNotOnHost',
  /** A URL repo's origin could not be reached (network, DNS): retried. */
  RepoUnreachable: 'RepoUnreachable',
  /** The host that held the job's workspace stopped answering (no poller, or its heartbeat stopped). */
  HostLost: 'HostLost',
  // A job's outcome after the agent.
  CheckFailed: 'CheckFailed',
  ReviewRejected: 'ReviewRejected',
  /** The reviewer's answer held no valid JSON verdict. */
  ReviewMalformed: 'ReviewMalformed',
  /** A child job that failed without carrying its JobResult (e.g. terminated). */
  JobFailed: 'JobFailed',
  ChainFailed: 'ChainFailed',
  /** A landing that cannot go on: its branch or target is missing, or the target's checkout refuses the move. */
  LandFailed: 'LandFailed',
  /** The agent changed its workspace's git metadata (`.git`, HEAD, commondir, the repo's config or hooks): not committed. */
  WorkspaceTampered: 'WorkspaceTampered',
  /** Anything not classified above (a plain Error). */
  Unclassified: 'Error',
} as const;
export type FailureClass = (typeof FailureClass)[keyof typeof FailureClass];

/** One attempt and a clean error: retrying cannot help. */
export const NON_RETRYABLE: string[] = [
  FailureClass.AuthFailed,
  FailureClass.BadRequest,
  FailureClass.QuotaExhausted,
  FailureClass.WorkspaceFailed,
  FailureClass.SessionNotFound,
  FailureClass.BudgetExceeded,
  FailureClass.ResourceLimit,
  FailureClass.EgressDenied,
  FailureClass.ReviewMalformed,
  FailureClass.AgentNotFound,
  FailureClass.JobDirMissing,
  FailureClass.DiskFull,
  FailureClass.WorkspaceUnwritable,
  FailureClass.RepoNotOnHost,
  FailureClass.LandFailed,
  FailureClass.WorkspaceTampered,
];

/** Details of an agent activity's failure: which attempt, and for a rate limit the reset the CLI named. */
export interface AgentFailureDetails {
  attempt: number;
  resetAt?: number;
  source?: 'cli';
}

/** What a failure may carry in details[0]: the agent's attempt, a failed job's result, a failed chain's view. */
export type FailureDetails = AgentFailureDetails | JobResult | ChainView;

export interface EncodeOptions {
  details?: FailureDetails;
  nonRetryable?: boolean;
  cause?: unknown;
  /** Retry no sooner than this (ms): a rate limit's reset. */
  nextRetryDelayMs?: number;
}

export function encodeFailure(type: FailureClass, message: string, o: EncodeOptions = {}): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: o.nonRetryable ?? false,
    ...(o.details !== undefined ? { details: [o.details] } : {}),
    ...(o.cause instanceof Error ? { cause: o.cause } : {}),
    ...(o.nextRetryDelayMs !== undefined ? { nextRetryDelay: o.nextRetryDelayMs } : {}),
  });
}

export interface DecodedFailure {
  /** The class: the first ApplicationFailure's type below the activity/child/client wrappers. */
  failureClass: string;
  message: string;
  agent?: AgentFailureDetails;
  result?: JobResult;
  chain?: ChainView;
}

export function decodeFailure(err: unknown): DecodedFailure {
  let cur: unknown = err;
  // Wrappers (ActivityFailure, ChildWorkflowFailure, the client's WorkflowFailedError) carry the real one as cause.
  while (!(cur instanceof ApplicationFailure) && !(cur instanceof TimeoutFailure) && isWrapper(cur)) cur = cur.cause;
  if (cur instanceof TimeoutFailure) return { failureClass: FailureClass.AgentTimedOut, message: cur.message };
  if (!(cur instanceof ApplicationFailure)) {
    return { failureClass: FailureClass.Unclassified, message: err instanceof Error ? err.message : String(err) };
  }
  const d: unknown = cur.details?.[0];
  const out: DecodedFailure = { failureClass: cur.type ?? FailureClass.Unclassified, message: cur.message };
  if (isJobResult(d)) out.result = d;
  else if (isChainView(d)) out.chain = d;
  else if (isAgentDetails(d)) out.agent = d;
  return out;
}

function isWrapper(e: unknown): e is { cause: unknown } {
  if (e instanceof ActivityFailure || e instanceof ChildWorkflowFailure) return e.cause !== undefined;
  return e instanceof Error && e.name === 'WorkflowFailedError' && e.cause !== undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isJobResult = (v: unknown): v is JobResult =>
  isObject(v) && typeof v['jobId'] === 'string' && typeof v['status'] === 'string' && isObject(v['tokens']);
const isChainView = (v: unknown): v is ChainView =>
  isObject(v) && typeof v['chainId'] === 'string' && Array.isArray(v['steps']);
const isAgentDetails = (v: unknown): v is AgentFailureDetails => isObject(v) && typeof v['attempt'] === 'number';
