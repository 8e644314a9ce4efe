// Review: the diff and the task go to a second model; its verdict is parsed and validated, never guessed.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { execa } from 'execa';
import { z } from 'zod';
import type { JobSpec, ReviewVerdict, WorkspaceInfo } from '../protocol/job.js';

const DIFF_LIMIT = 60_000;

const VerdictSchema = z.strictObject({
  verdict: z.enum(['approve', 'revise']),
  reasons: z.array(z.string().min(1)).default([]),
});

/** The untracked files' contents and the tracked diff, bounded: what the reviewer reads. */
async function workspaceDiff(ws: WorkspaceInfo): Promise<string> {
  const git = (args: string[]) => execa('git', args, { cwd: ws.path, reject: false });
  const tracked = (await git(['diff', 'HEAD'])).stdout;
  const untracked = (await git(['ls-files', '--others', '--exclude-standard'])).stdout.split('\n').filter(Boolean);
  const added = await Promise.all(untracked.map(async (f) => `--- /dev/null\n+++ b/${f}\n${(await readFile(join(ws.path, f), 'utf8').catch(() => '')).replace(/^/gm, '+')}`));
  const diff = [tracked, ...added].join('\n');
  return diff.length > DIFF_LIMIT ? `${diff.slice(0, DIFF_LIMIT)}\n[diff truncated]` : diff;
}

export interface ReviewSetup {
  prompt: string;
  scratch: WorkspaceInfo;
}

/** The reviewer runs in a scratch directory (it must not edit the author's workspace). */
export async function prepareReview(input: { spec: JobSpec; workspace: WorkspaceInfo; round: number }): Promise<ReviewSetup> {
  const path = join(input.workspace.jobDir, `review-${input.round}`);
  await mkdir(path, { recursive: true });
  const prompt = [
    'You are reviewing another agent\'s change. Do not edit files.',
    `The task was:\n${input.spec.prompt}`,
    `The change (unified diff):\n${await workspaceDiff(input.workspace)}`,
    'Answer with JSON only, exactly this shape: {"verdict": "approve" | "revise", "reasons": ["…"]}.',
  ].join('\n\n');
  return { prompt, scratch: { path, mode: 'none', jobDir: input.workspace.jobDir, baseline: [] } };
}

/** The reviewer's final text must hold one JSON verdict (bare or in a ```json fence); anything else fails. */
export async function parseVerdict(input: { text: string; round: number; backend: string }): Promise<ReviewVerdict> {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(input.text)?.[1];
  const candidate = (fenced ?? input.text).trim();
  const json = candidate.slice(candidate.indexOf('{'), candidate.lastIndexOf('}') + 1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  const verdict = VerdictSchema.safeParse(parsed);
  if (!verdict.success) {
    const why = parsed === undefined ? 'no JSON object' : z.prettifyError(verdict.error).replace(/\n/g, ' ');
    throw ApplicationFailure.nonRetryable(`reviewer ${input.backend} gave no valid verdict (${why}): ${input.text.slice(0, 300)}`, 'ReviewMalformed');
  }
  return { round: input.round, backend: input.backend, ...verdict.data };
}
