// A warm session's state and pure rules (its wire protocol is in src/protocol/session.ts).
import type { SessionJobRecord, SessionSettings, SessionView } from '../../protocol/session.js';
import type { JobResult } from '../../protocol/result.js';
import type { JobSpec } from '../../protocol/job.js';
import type { TokenUsage } from '../../protocol/tokens.js';
import { addTokens, emptyTokens } from '../../protocol/tokens.js';
import { FailureClass } from '../../protocol/failures.js';

/** Finished jobs kept in the session's record (with their results) for `--wait` and `sessions`. */
const RECENT_KEPT = 20;

export interface SessionInput {
  name: string;
  settings: SessionSettings;
  state?: SessionState;
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
  /** The host holding the session's workspace and agent session (the last job's); jobs pin to it. */
  host?: string;
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

export function newSessionState(name: string, now: number): SessionState {
  return {
    name,
    createdAt: now,
    lastUsedAt: now,
    jobsDone: 0,
    jobsFailed: 0,
    tokens: emptyTokens(),
    costUsd: 0,
    queue: [],
    recent: [],
    closing: false,
    runs: 1,
  };
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
  state.pins ??= {
    backend: spec.backend,
    repoPath: spec.repoPath,
    workspacePath: spec.workspacePath ?? '',
    branch: spec.branch ?? `nightshift/session-${state.name}`,
  };
  const p = state.pins;
  // One backend per session (an agent session belongs to one CLI): no failover.
  const out: JobSpec = { ...spec, backend: p.backend, fallbacks: [], repoPath: p.repoPath, branch: p.branch };
  if (p.workspacePath) out.workspacePath = p.workspacePath;
  if (out.workspaceMode === 'none') out.workspaceMode = 'auto';
  delete out.resumeSessionId;
  if (state.agentSessionId) out.resumeSessionId = state.agentSessionId;
  if (state.host) out.host = state.host;
  return out;
}

/** A failed job whose agent could not resume its session (the adapters classify it): retried once fresh. */
export function isResumeFailure(spec: JobSpec, result: JobResult): boolean {
  return (
    Boolean(spec.resumeSessionId) && result.status === 'failed' && result.failureClass === FailureClass.SessionNotFound
  );
}

/** Books a finished job: totals, the agent session to resume next, the bounded record. */
export function book(state: SessionState, record: SessionJobRecord, result: JobResult, now: number): void {
  record.status = result.status;
  record.result = result;
  if (result.status === 'failed' || result.status === 'cancelled') state.jobsFailed++;
  else state.jobsDone++;
  if (result.sessionId) state.agentSessionId = result.sessionId;
  if (result.host) state.host = result.host;
  addTokens(state.tokens, result.tokens);
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
  if (state.pins)
    Object.assign(view, { backend: state.pins.backend, repoPath: state.pins.repoPath, branch: state.pins.branch });
  if (state.pins?.workspacePath) view.workspacePath = state.pins.workspacePath;
  if (state.agentSessionId) view.agentSessionId = state.agentSessionId;
  if (state.host) view.host = state.host;
  if (state.running) view.running = state.running.jobId;
  return view;
}
