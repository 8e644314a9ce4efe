// After the agent: the repo's check with fix rounds, then a second model's review with revision rounds.
import { sumTokens } from '../../protocol/tokens.js';
import type { AgentSummary, CheckOutcome, ReviewVerdict, WorkspaceInfo } from '../../protocol/result.js';
import type { JobSpec, JobStep } from '../../protocol/job.js';
import type { jobActivities } from './activities.js';

export interface RoundsContext {
  spec: JobSpec;
  workspace: WorkspaceInfo;
  acts: ReturnType<typeof jobActivities>;
  agent: AgentSummary;
  step(s: JobStep): void;
}

export interface RoundsOutcome {
  /** The author's session after every follow-up, with tokens and cost summed over all runs (reviewers too). */
  agent: AgentSummary;
  check?: CheckOutcome;
  fixRounds: number;
  reviews: ReviewVerdict[];
  revised: boolean;
}

const fixPrompt = (c: CheckOutcome): string =>
  `The check \`${c.command.join(' ')}\` failed with exit code ${c.exitCode}. Its output ends with:\n\n${c.outputTail}\n\nFix the code so the check passes.`;
const revisePrompt = (v: ReviewVerdict): string =>
  `A reviewer (${v.backend}) asked for a revision:\n${v.reasons.map((r) => `- ${r}`).join('\n')}\n\nRevise your change accordingly.`;

/** Adds a later run to the author's record: its session and text win, usage and files accumulate. */
const refusedOf = (a: AgentSummary, b: AgentSummary): Pick<AgentSummary, 'refusedWrites'> => {
  const all = [...new Set([...(a.refusedWrites ?? []), ...(b.refusedWrites ?? [])])];
  return all.length > 0 ? { refusedWrites: all } : {};
};

const rejectedOf = (a: AgentSummary, b: AgentSummary): Pick<AgentSummary, 'usageRejected'> => {
  const all = [...new Set([...(a.usageRejected ?? []), ...(b.usageRejected ?? [])])];
  return all.length > 0 ? { usageRejected: all } : {};
};

function merge(a: AgentSummary, b: AgentSummary, authored: boolean): AgentSummary {
  const tokens = sumTokens(a.tokens, b.tokens);
  const cost = a.costUsd !== undefined || b.costUsd !== undefined ? (a.costUsd ?? 0) + (b.costUsd ?? 0) : undefined;
  const base = authored
    ? {
        ...a,
        finalText: b.finalText,
        sessionId: b.sessionId ?? a.sessionId,
        filesTouched: [...new Set([...a.filesTouched, ...b.filesTouched])],
        ...refusedOf(a, b),
        exitedAt: b.exitedAt,
      }
    : a;
  return {
    ...base,
    tokens,
    turns: a.turns + b.turns,
    toolCalls: a.toolCalls + b.toolCalls,
    ...(cost !== undefined ? { costUsd: cost } : {}),
    ...rejectedOf(a, b), // every run's rejected usage reports, the reviewers' too
  } as AgentSummary;
}

export async function verifyAndReview(c: RoundsContext): Promise<RoundsOutcome> {
  const out: RoundsOutcome = { agent: c.agent, fixRounds: 0, reviews: [], revised: false };
  const author = { ...c.spec, backend: c.agent.backend, fallbacks: [] };
  const followUp = async (label: string, prompt: string): Promise<void> => {
    const sessionId = out.agent.sessionId;
    const next = await c.acts.agent.runAgent({
      spec: { ...author, prompt, ...(sessionId ? { resumeSessionId: sessionId } : {}) },
      workspace: c.workspace,
      label,
    });
    out.agent = merge(out.agent, next, true);
  };
  const check = async (): Promise<void> => {
    if (!c.spec.check || c.workspace.mode === 'none') return;
    const run = () =>
      c.acts.check.runCheck({
        command: c.spec.check ?? [],
        cwd: c.workspace.path,
        jobDir: c.workspace.jobDir,
        timeoutSeconds: c.spec.timeoutSeconds,
        ...(c.spec.sandbox ? { sandbox: c.spec.sandbox } : {}),
      });
    c.step('running-check');
    out.check = await run();
    while (!out.check.passed && out.fixRounds < (c.spec.fixRounds ?? 0)) {
      out.fixRounds++;
      c.step('fixing');
      await followUp(`fix-${out.fixRounds}`, fixPrompt(out.check));
      c.step('running-check');
      out.check = await run();
    }
  };
  await check();
  const review = c.spec.review;
  for (let round = 1; review && (out.check?.passed ?? true); round++) {
    c.step('reviewing');
    const setup = await c.acts.short.prepareReview({ spec: c.spec, workspace: c.workspace, round });
    const { model, resumeSessionId, ...rest } = c.spec; // the reviewer runs fresh, on its own model
    const reviewerSpec: JobSpec = {
      ...rest,
      backend: review.backend,
      prompt: setup.prompt,
      fallbacks: [],
      ...(review.model ? { model: review.model } : {}),
    };
    const reviewer = await c.acts.agent.runAgent({
      spec: reviewerSpec,
      workspace: setup.scratch,
      label: `review-${round}`,
    });
    out.agent = merge(out.agent, reviewer, false);
    const verdict = await c.acts.short.parseVerdict({ text: reviewer.finalText, round, backend: review.backend });
    out.reviews.push(verdict);
    if (verdict.verdict === 'approve' || round > review.rounds) break;
    c.step('revising');
    await followUp(`revise-${round}`, revisePrompt(verdict));
    out.revised = true;
    await check();
  }
  return out;
}
