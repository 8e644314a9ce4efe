import { FailureClass } from '../../protocol/failures.js';
import type {
  AgentSummary,
  BackendAttempt,
  CheckOutcome,
  HostMove,
  PushedBranch,
  JobProgress,
  JobResult,
  ReviewVerdict,
  WorkspaceInfo,
} from '../../protocol/result.js';
import type { JobSpec } from '../../protocol/job.js';
import { emptyTokens } from '../../protocol/tokens.js';

const CODING_KINDS = new Set(['coding-agent', 'codex']);
// An agent that changed nothing is not a success unless it says why (e.g. "no changes needed").
const SAID_WHY =
  /\b(no (code )?(changes?|edits?|modifications?) (are |were |is )?(needed|necessary|required)|nothing (to|needed to) (change|do|fix|edit)|already (done|implemented|fixed|present|correct|up[ -]to[ -]date))\b/i;

/** What failed, as the result records it. */
export interface Failure {
  failureClass: string;
  message: string;
}

export interface ResultParts {
  spec: JobSpec;
  progress: JobProgress;
  agent: AgentSummary | undefined;
  workspace: WorkspaceInfo | undefined;
  check: CheckOutcome | undefined;
  changed: string[];
  attempts: number;
  backends: BackendAttempt[];
  failure?: Failure;
  cancelled?: boolean;
  rounds?: { fixRounds: number; reviews: ReviewVerdict[]; revised: boolean };
  /** Hosts the job left (fleet), and why its agent session to resume was left behind. */
  moves?: HostMove[];
  freshSession?: string;
  pushed?: PushedBranch;
}

export function buildResult(p: ResultParts): JobResult {
  const written = p.agent?.instructionsWritten;
  const filesChanged = [...new Set([...p.changed, ...(p.agent?.filesTouched ?? [])])]
    .filter((f) => f !== written)
    .sort();
  const granted = p.progress.leaseGrantedAt;
  const result: JobResult = {
    jobId: p.spec.jobId,
    status: statusOf(p, filesChanged),
    backend: p.agent?.backend ?? p.backends.at(-1)?.backend ?? p.spec.backend,
    kind: p.spec.kind,
    lane: p.spec.lane,
    finalText: p.agent?.finalText ?? '',
    tokens: p.agent?.tokens ?? emptyTokens(),
    durationMs: Date.now() - p.progress.queuedAt,
    leaseWaitMs: granted ? granted - p.progress.queuedAt : 0,
    filesChanged,
    attempts: p.attempts,
    backends: p.backends,
    timeline: { queuedAt: p.progress.queuedAt, finishedAt: Date.now() },
  };
  if (granted) result.timeline.leaseGrantedAt = granted;
  if (p.agent) Object.assign(result.timeline, { agentSpawnedAt: p.agent.spawnedAt, agentExitedAt: p.agent.exitedAt });
  if (p.agent?.sessionId) result.sessionId = p.agent.sessionId;
  if (p.agent?.costUsd !== undefined) result.costUsd = p.agent.costUsd;
  if (p.agent) result.turns = p.agent.turns;
  const sandbox = p.agent?.sandbox ?? p.check?.sandbox ?? p.workspace?.sandbox;
  if (sandbox) result.sandbox = sandbox;
  if (p.agent?.refusedWrites?.length) result.refusedWrites = p.agent.refusedWrites;
  if (p.agent?.usageRejected?.length) result.usageRejected = p.agent.usageRejected;
  if (p.workspace) result.workspace = p.workspace.path;
  if (p.workspace?.branch) result.branch = p.workspace.branch;
  if (p.workspace?.baseRef) result.baseRef = p.workspace.baseRef;
  if (p.workspace?.setup) result.setup = p.workspace.setup;
  if (p.check) result.check = p.check;
  if (p.workspace?.host) result.host = p.workspace.host;
  if (p.moves?.length) result.moves = p.moves;
  if (p.pushed) result.pushed = p.pushed;
  if (p.spec.route) result.route = p.spec.route; // auto routing's choice, carried from the spec
  if (p.freshSession) Object.assign(result, { freshSession: true, freshSessionReason: p.freshSession });
  if (p.rounds)
    Object.assign(result, {
      fixRounds: p.rounds.fixRounds,
      reviews: p.rounds.reviews,
      revised: p.rounds.revised && p.rounds.reviews.at(-1)?.verdict === 'approve',
    });
  if (result.status === 'succeeded' && isCoding(p) && filesChanged.length === 0)
    result.noChangeReason = p.agent?.finalText.slice(0, 500) ?? '';
  const failure = p.failure ?? checkFailure(p.check) ?? reviewFailure(p.rounds?.reviews);
  if (failure && !p.cancelled) {
    result.failureClass = failure.failureClass;
    result.failureMessage = failure.message;
  }
  return result;
}

function reviewFailure(reviews: ReviewVerdict[] | undefined): Failure | undefined {
  const last = reviews?.at(-1);
  if (last?.verdict !== 'revise') return undefined;
  return {
    failureClass: FailureClass.ReviewRejected,
    message: `reviewer ${last.backend} still asks for revision after ${reviews?.length ?? 0} rounds: ${last.reasons.join('; ')}`,
  };
}

function checkFailure(check: CheckOutcome | undefined): Failure | undefined {
  if (!check || check.passed) return undefined;
  return {
    failureClass: FailureClass.CheckFailed,
    message: `check ${check.command.join(' ')} exited ${check.exitCode}`,
  };
}

const isCoding = (p: ResultParts): boolean => CODING_KINDS.has(p.spec.kind) && p.workspace?.mode !== 'none';

function statusOf(p: ResultParts, filesChanged: string[]): JobResult['status'] {
  if (p.cancelled) return 'cancelled';
  if (p.failure || (p.check && !p.check.passed) || p.rounds?.reviews.at(-1)?.verdict === 'revise') return 'failed';
  // "exit 0 but did nothing" is not a success for a coding job, unless the agent said why.
  if (isCoding(p) && filesChanged.length === 0 && !SAID_WHY.test(p.agent?.finalText ?? '')) return 'no_op';
  return 'succeeded';
}
