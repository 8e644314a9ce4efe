// Workflow tests: a real dev server and real workflows, with the agent (and optionally the check) scripted.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities, CheckInput, RunAgentInput } from '../../src/protocol/activities.js';
import { encodeFailure, FailureClass, type AgentFailureDetails } from '../../src/protocol/failures.js';
import type { AgentSummary, CheckOutcome } from '../../src/protocol/result.js';
import { startTemporal, startWorker, type Harness } from './temporal.js';

/** One runAgent call as the stub saw it (in call order across all jobs of the worker). */
export interface AgentCall {
  jobId: string;
  backend: string;
  label: string;
  prompt: string;
  resumeSessionId?: string;
  canFailover: boolean;
  attempt: number;
  /** When the activity ran (epoch ms). */
  at: number;
}

export type AgentReply =
  | { ok: true; text: string; sessionId?: string; files?: Record<string, string> }
  | { ok: false; type: FailureClass; message: string; resetAt?: number };

export const succeed = (
  text: string,
  extra: { sessionId?: string; files?: Record<string, string> } = {},
): AgentReply => ({ ok: true, text, ...extra });
export const fail = (type: FailureClass, message = `${type} (scripted)`, resetAt?: number): AgentReply => ({
  ok: false,
  type,
  message,
  ...(resetAt !== undefined ? { resetAt } : {}),
});
export const rateLimited = (resetAt: number): AgentReply =>
  fail(FailureClass.RateLimited, 'usage limit reached (scripted)', resetAt);

/** A fixed reply, a sequence (the last repeats), or a function of the call. */
export type Replies = AgentReply | AgentReply[] | ((call: AgentCall) => AgentReply);
/** Keyed `backend:label`, then `backend`, then `*`. */
export type AgentScript = Record<string, Replies>;

/** The failure the real runAgent throws: type = class, details = { attempt, resetAt?, source }, retry no sooner than the reset. */
function agentFailure(reply: Extract<AgentReply, { ok: false }>, attempt: number, nonRetryable: boolean) {
  const { type, message, resetAt } = reply;
  const details: AgentFailureDetails = resetAt !== undefined ? { attempt, resetAt, source: 'cli' } : { attempt };
  const retryAfter = resetAt !== undefined ? { nextRetryDelayMs: Math.max(1000, resetAt - Date.now()) } : {};
  return encodeFailure(type, message, { details, nonRetryable, ...retryAfter });
}

/** A scripted runAgent that records every call; replies per (backend, label). */
export function agentStub(script: AgentScript) {
  const calls: AgentCall[] = [];
  const served = new Map<string, number>();
  const pick = (call: AgentCall): AgentReply => {
    const key = [`${call.backend}:${call.label}`, call.backend, '*'].find((k) => script[k] !== undefined) ?? '';
    const replies = script[key];
    // A gap in the script is the test's bug: fail the job at once instead of retrying.
    if (!replies)
      throw ApplicationFailure.nonRetryable(`no scripted reply for ${call.backend}:${call.label}`, 'UnscriptedCall');
    if (typeof replies === 'function') return replies(call);
    if (!Array.isArray(replies)) return replies;
    const n = served.get(key) ?? 0;
    served.set(key, n + 1);
    const reply = replies[Math.min(n, replies.length - 1)];
    if (!reply) throw ApplicationFailure.nonRetryable(`empty script for ${key}`, 'UnscriptedCall');
    return reply;
  };
  const runAgent = async ({ spec, workspace, canFailover = false, label = 'agent' }: RunAgentInput) => {
    const attempt = Context.current().info.attempt;
    const { jobId, backend, prompt, resumeSessionId } = spec;
    const call: AgentCall = { jobId, backend, label, prompt, canFailover, attempt, at: Date.now() };
    if (resumeSessionId) call.resumeSessionId = resumeSessionId;
    calls.push(call);
    const reply = pick(call);
    if (!reply.ok) {
      // As the real activity: a limit longer than the wait allowed, with a later backend, moves on.
      const failOver =
        canFailover && reply.resetAt !== undefined && reply.resetAt - Date.now() > spec.failoverMaxWaitSeconds * 1000;
      throw agentFailure(reply, attempt, failOver);
    }
    const outputFile = join(workspace.jobDir, `${label}-attempt-${attempt}.jsonl`);
    return summary(reply, { backend, outputFile, attempt }, workspace.path);
  };
  return { runAgent, calls };
}

async function summary(
  reply: Extract<AgentReply, { ok: true }>,
  run: { backend: string; outputFile: string; attempt: number },
  cwd: string,
): Promise<AgentSummary> {
  const spawnedAt = Date.now();
  const files = Object.entries(reply.files ?? {});
  for (const [name, content] of files) await writeFile(join(cwd, name), content);
  const exitedAt = Date.now();
  return {
    ...run,
    finalText: reply.text,
    tokens: { input: 100, output: 20, cacheRead: 0, cacheWrite: 0 },
    turns: 1,
    toolCalls: files.length,
    filesTouched: files.map(([name]) => name),
    durationMs: exitedAt - spawnedAt,
    spawnedAt,
    exitedAt,
    exitCode: 0,
    ...(reply.sessionId ? { sessionId: reply.sessionId } : {}),
  };
}

/** A scripted runCheck: outcomes in order (the last repeats); each output becomes the check's tail. */
export function checkStub(outcomes: { passed: boolean; output: string }[]) {
  const calls: CheckInput[] = [];
  const runCheck = async (input: CheckInput): Promise<CheckOutcome> => {
    calls.push(input);
    const { passed, output } = outcomes[Math.min(calls.length - 1, outcomes.length - 1)] ?? {
      passed: true,
      output: '',
    };
    return { command: input.command, exitCode: passed ? 0 : 1, passed, durationMs: 1, outputTail: output };
  };
  return { runCheck, calls };
}

/** Backend configs whose command exists, so job specs resolve; the stub never spawns them. */
export const stubBackends = (...names: string[]): Record<string, { command: string }> =>
  Object.fromEntries(names.map((n) => [n, { command: process.execPath }]));

/** A worker on a fresh queue whose activities are the real ones, but for `overrides`. */
export function startStubbedWorker(
  env: TestWorkflowEnvironment,
  raw: Record<string, unknown>,
  overrides: Partial<Activities>,
): Promise<Harness> {
  return startWorker(env, raw, undefined, overrides);
}

/** One dev server for a test file; torn down after it. */
export function useTemporal(): { env: TestWorkflowEnvironment } {
  const ctx = {} as { env: TestWorkflowEnvironment };
  before(async () => void (ctx.env = await startTemporal()));
  after(async () => void (await ctx.env?.teardown()));
  return ctx;
}
