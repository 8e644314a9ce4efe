// A warm session's state, wire protocol and pure rules: shared by the session workflow and its clients.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JobResult, JobSpec, TokenUsage } from '../../protocol/job.js';
import { emptyTokens } from '../../protocol/job.js';

export const SESSION_NAME = /^[a-z0-9][a-z0-9-]{0,47}$/;
/** Finished jobs kept in the session's record (with their results) for `--wait` and `sessions`. */
const RECENT_KEPT = 20;

/** `session-<name>` on the default task queue; other queues get their own (names never contain a dot). */
export function sessionWorkflowId(name: string, taskQueue: string): string {
  return taskQueue === 'nightshift' ? `session-${name}` : `session-${name}.${taskQueue}`;
}

export interface SessionSettings {
  idleMinutes: number;
  continueAsNewEvents: number;
}

export interface SessionInput {
  name: string;
  settings: SessionSettings;
  state?: SessionState;
}

export type SessionJobStatus = 'queued' | 'running' | JobResult['status'] | 'dropped';

/**
 * The session's record of one job. `freshSession` when its agent session could not be resumed: then
 * `resumeFailure` says why and `result` is the rerun's (child job `<jobId>-fresh`).
 */
export interface SessionJobRecord {
  jobId: string;
  status: SessionJobStatus;
  submittedAt: number;
  resumedSessionId?: string;
  freshSession?: boolean;
  resumeFailure?: string;
  result?: JobResult;
}

/** Pinned by the first job: later jobs run with the same backend, repo and workspace. */
export interface SessionPins {
  backend: string;
  repoPath: string;
  workspacePath: string;
  branch: string;
}

export interface QueuedJob {
  spec: JobSpec;
  submittedAt: number;
}

export interface SessionState {
  name: string;
  createdAt: number;
  lastUsedAt: number;
  pins?: SessionPins;
  agentSessionId?: string;
  jobsDone: number;
  jobsFailed: number;
  tokens: TokenUsage;
  costUsd: number;
  queue: QueuedJob[];
  running?: SessionJobRecord;
  recent: SessionJobRecord[];
  closing: boolean;
  runs: number;
}

export interface SessionView {
  name: string;
  backend?: string;
  agentSessionId?: string;
  jobsDone: number;
  jobsFailed: number;
  queued: string[];
  running?: string;
  tokens: TokenUsage;
  costUsd: number;
  createdAt: number;
  lastUsedAt: number;
  workspacePath?: string;
  branch?: string;
  repoPath?: string;
  closing: boolean;
  runs: number;
}

export const sessionSubmitSignal = defineSignal<[JobSpec]>('sessionSubmit');
export const sessionCloseSignal = defineSignal('sessionClose');
export const sessionViewQuery = defineQuery<SessionView>('session');
export const sessionJobQuery = defineQuery<SessionJobRecord | undefined, [string]>('sessionJob');

export function newSessionState(name: string, now: number): SessionState {
  return { name, createdAt: now, lastUsedAt: now, jobsDone: 0, jobsFailed: 0, tokens: emptyTokens(), costUsd: 0, queue: [], recent: [], closing: false, runs: 1 };
}

/** A retried signal (or a repeated `--id`) must not run a job twice. */
export function enqueue(state: SessionState, spec: JobSpec, now: number): void {
  if (recordOf(state, spec.jobId)) return;
  state.queue.push({ spec, submittedAt: now });
}

export function recordOf(state: SessionState, jobId: string): SessionJobRecord | undefined {
  const queued = state.queue.find((q) => q.spec.jobId === jobId);
  if (queued) return { jobId, status: 'queued', submittedAt: queued.submittedAt };
  if (state.running?.jobId === jobId) return state.running;
  return state.recent.find((r) => r.jobId === jobId);
}

/** The spec as the session runs it: its backend, repo and workspace, resuming the last agent session. */
export function pinned(state: SessionState, spec: JobSpec): JobSpec {
  state.pins ??= { backend: spec.backend, repoPath: spec.repoPath, workspacePath: spec.workspacePath ?? '', branch: spec.branch ?? `nightshift/session-${state.name}` };
  const p = state.pins;
  // One backend per session (an agent session belongs to one CLI): no failover.
  const out: JobSpec = { ...spec, backend: p.backend, fallbacks: [], repoPath: p.repoPath, branch: p.branch };
  if (p.workspacePath) out.workspacePath = p.workspacePath;
  if (out.workspaceMode === 'none') out.workspaceMode = 'auto';
  delete out.resumeSessionId;
  if (state.agentSessionId) out.resumeSessionId = state.agentSessionId;
  return out;
}

// claude: "No conversation found with session ID: …"; others: a session/thread/conversation not found.
const RESUME_FAILED = /no conversation found|--resume requires a valid session|(session|thread|conversation)[^\n]{0,80}(not found|does not exist|expired)|SessionNotFound/i;

/** A failed job whose agent could not resume its session (expired, deleted): retried once with a fresh one. */
export function isResumeFailure(spec: JobSpec, result: JobResult): boolean {
  if (!spec.resumeSessionId || result.status !== 'failed') return false;
  return RESUME_FAILED.test(`${result.failureClass ?? ''} ${result.failureMessage ?? ''}`);
}

/** Books a finished job: totals, the agent session to resume next, the bounded record. */
export function book(state: SessionState, record: SessionJobRecord, result: JobResult, now: number): void {
  record.status = result.status;
  record.result = result;
  if (result.status === 'failed' || result.status === 'cancelled') state.jobsFailed++;
  else state.jobsDone++;
  if (result.sessionId) state.agentSessionId = result.sessionId;
  for (const k of ['input', 'output', 'cacheRead', 'cacheWrite'] as const) state.tokens[k] += result.tokens[k];
  state.costUsd += result.costUsd ?? 0;
  state.lastUsedAt = now;
  keep(state, record);
}

/** A job that never ran: the session closed before its turn. */
export function drop(state: SessionState, queued: QueuedJob): void {
  keep(state, { jobId: queued.spec.jobId, status: 'dropped', submittedAt: queued.submittedAt });
}

function keep(state: SessionState, record: SessionJobRecord): void {
  state.recent.push(record);
  if (state.recent.length > RECENT_KEPT) state.recent.splice(0, state.recent.length - RECENT_KEPT);
}

export function viewOf(state: SessionState): SessionView {
  const view: SessionView = {
    name: state.name,
    jobsDone: state.jobsDone,
    jobsFailed: state.jobsFailed,
    queued: state.queue.map((q) => q.spec.jobId),
    tokens: { ...state.tokens },
    costUsd: state.costUsd,
    createdAt: state.createdAt,
    lastUsedAt: state.lastUsedAt,
    closing: state.closing,
    runs: state.runs,
  };
  if (state.pins) Object.assign(view, { backend: state.pins.backend, repoPath: state.pins.repoPath, branch: state.pins.branch });
  if (state.pins?.workspacePath) view.workspacePath = state.pins.workspacePath;
  if (state.agentSessionId) view.agentSessionId = state.agentSessionId;
  if (state.running) view.running = state.running.jobId;
  return view;
}
