// Review: what the reviewing model is asked, and its answer read as one JSON verdict — never guessed.
import { z } from 'zod';
import type { ReviewVerdict } from '../protocol/result.js';

const VerdictSchema = z.strictObject({
  verdict: z.enum(['approve', 'revise']),
  reasons: z.array(z.string().min(1)).default([]),
});

export function reviewPrompt(task: string, diff: string): string {
  return [
    "You are reviewing another agent's change. Do not edit files.",
    `The task was:\n${task}`,
    `The change (unified diff):\n${diff}`,
    'Answer with JSON only, exactly this shape: {"verdict": "approve" | "revise", "reasons": ["…"]}.',
  ].join('\n\n');
}

export type VerdictReading =
  { ok: true; verdict: Pick<ReviewVerdict, 'verdict' | 'reasons'> } | { ok: false; why: string };

/** The reviewer's final text must hold one JSON verdict (bare or in a ```json fence). */
export function readVerdict(text: string): VerdictReading {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1];
  const candidate = (fenced ?? text).trim();
  const json = candidate.slice(candidate.indexOf('{'), candidate.lastIndexOf('}') + 1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { ok: false, why: 'no JSON object' };
  }
  const verdict = VerdictSchema.safeParse(parsed);
  if (!verdict.success) return { ok: false, why: z.prettifyError(verdict.error).replace(/\n/g, ' ') };
  return { ok: true, verdict: verdict.data };
}
