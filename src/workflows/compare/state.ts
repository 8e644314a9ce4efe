// A compare's pure rules: its view and one row per backend (the wire types are in src/protocol/compare.ts).
import type { CommitOutcome, CompareEntry, CompareRow, CompareSpec, CompareView } from '../../protocol/compare.js';
import type { JobSpec } from '../../protocol/job.js';
import type { JobResult } from '../../protocol/result.js';

export function newCompareView(spec: CompareSpec, now: number): CompareView {
  const backends = spec.specs.map((s): CompareEntry => ({ backend: s.backend, jobId: s.jobId, state: 'queued' }));
  return { compareId: spec.compareId, prompt: spec.prompt, status: 'running', startedAt: now, backends };
}

export function entryOf(view: CompareView, jobId: string): CompareEntry {
  const entry = view.backends.find((e) => e.jobId === jobId);
  if (!entry) throw new Error(`no compare entry for ${jobId}`); // unreachable: the view is built from the spec
  return entry;
}

export function rowOf(job: JobSpec, r: JobResult, commit: CommitOutcome): CompareRow {
  const check = r.check ? (r.check.passed ? 'passed' : 'failed') : 'none';
  const review = r.reviews?.at(-1)?.verdict ?? 'none';
  const row: CompareRow = {
    backend: job.backend,
    jobId: r.jobId,
    status: r.status,
    wallMs: r.durationMs,
    filesTouched: r.filesChanged,
    filesCount: r.filesChanged.length,
    check,
    review,
    followUp: r.status !== 'succeeded' || check === 'failed' || review === 'revise' || r.revised === true,
    tokens: { input: r.tokens.input, output: r.tokens.output },
  };
  if (r.failureClass) row.failureClass = r.failureClass;
  if (r.failureMessage) row.failureMessage = r.failureMessage;
  if (r.turns !== undefined) row.turns = r.turns;
  if (r.costUsd !== undefined) row.costUsd = r.costUsd;
  const branch = r.branch ?? job.branch;
  if (branch) row.branch = branch;
  return { ...row, ...commit };
}
