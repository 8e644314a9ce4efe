// Review activities: the diff and the task go to a second model in a scratch dir; its verdict is validated.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readVerdict, reviewPrompt } from '../agents/review.js';
import type { ReviewRequest, ReviewSetup, VerdictInput } from '../protocol/activities.js';
import { encodeFailure, FailureClass } from '../protocol/failures.js';
import type { ReviewVerdict } from '../protocol/result.js';
import { workspaceDiff } from '../workspace/diff.js';

/** The reviewer runs in a scratch directory (it must not edit the author's workspace). */
export async function prepareReview(input: ReviewRequest): Promise<ReviewSetup> {
  const path = join(input.workspace.jobDir, `review-${input.round}`);
  await mkdir(path, { recursive: true });
  const prompt = reviewPrompt(input.spec.prompt, await workspaceDiff(input.workspace));
  return { prompt, scratch: { path, mode: 'none', jobDir: input.workspace.jobDir, baseline: [] } };
}

/** Anything but one valid JSON verdict fails the review (ReviewMalformed): prose is never an approval. */
export async function parseVerdict(input: VerdictInput): Promise<ReviewVerdict> {
  const read = readVerdict(input.text);
  if (read.ok) return { round: input.round, backend: input.backend, ...read.verdict };
  const message = `reviewer ${input.backend} gave no valid verdict (${read.why}): ${input.text.slice(0, 300)}`;
  throw encodeFailure(FailureClass.ReviewMalformed, message, { nonRetryable: true });
}
