// A warm session's contract: its settings, its record of each job and the view `sessions` shows.
import type { JobResult } from './result.js';
import type { TokenUsage } from './tokens.js';

export interface SessionSettings {
  idleMinutes: number;
  continueAsNewEvents: number;
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

export interface SessionView {
  name: string;
  backend?: string;
  agentSessionId?: string;
  /** The worker host holding the workspace and agent session (fleet). */
  host?: string;
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
