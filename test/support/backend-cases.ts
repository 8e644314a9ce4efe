// The failure cases every backend's test file checks the same way: auth fails once, a dead server fails fast.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { ApplicationFailure, Client } from '@temporalio/client';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { startJob } from '../../src/client/jobs.js';
import { jobFailure, previousAttemptFailure } from './outcomes.js';
import type { ChatReply } from '../../src/dev/scripted-model/openai-chat.js';
import type { Harness } from './temporal.js';

/** A port nothing listens on: the model API is "down". */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** 401 → the job fails AuthFailed after exactly one attempt (maxAttempts 5 allowed more), one model request. */
export async function assertAuthFailsOnce(
  client: Client,
  h: Harness,
  requests: () => number,
  message: RegExp,
  backend?: string,
): Promise<void> {
  const spec = resolveJobSpec(
    { prompt: 'hi', kind: 'llm', workspace: 'none', maxAttempts: 5, ...(backend ? { backend } : {}) },
    h.config,
  );
  const t0 = Date.now();
  await startJob(client, h.config, spec);
  const failure = await jobFailure(client, spec.jobId);
  assert.equal(failure.type, 'AuthFailed');
  assert.equal(
    (failure.cause?.cause as ApplicationFailure | undefined)?.type,
    'AuthFailed',
    'the chain: job failure ← activity failure ← AuthFailed',
  );
  assert.match(failure.message, message);
  assert.equal(requests(), 1, 'one request: no retries inside the CLI or the engine');
  assert.equal((failure.details?.[0] as { attempts: number }).attempts, 1);
  assert.ok(Date.now() - t0 < 30_000);
}

/** A closed port → AgentCrashed within seconds, not minutes of hidden retries. */
export async function assertServerDownFast(
  client: Client,
  h: Harness,
  message: RegExp,
  backend?: string,
): Promise<void> {
  const spec = resolveJobSpec(
    { prompt: 'hi', kind: 'llm', workspace: 'none', maxAttempts: 1, ...(backend ? { backend } : {}) },
    h.config,
  );
  const t0 = Date.now();
  await startJob(client, h.config, spec);
  const failure = await jobFailure(client, spec.jobId);
  const elapsed = Date.now() - t0;
  assert.equal(failure.type, 'AgentCrashed');
  assert.match(failure.message, message);
  assert.ok(elapsed < 30_000, `classified in ${elapsed} ms`);
}

/**
 * The model answered 429 once (reset in `resetMs`), then "fine": the job succeeds on attempt 2, attempt 1 failed
 * RateLimited, one request per attempt (`times`: when the model was asked), none before the reset.
 */
export async function assertRetriedAfterReset(
  client: Client,
  h: Harness,
  times: number[],
  resetMs: number,
): Promise<void> {
  const spec = resolveJobSpec({ prompt: 'hi', kind: 'llm', workspace: 'none' }, h.config);
  const result = await (await startJob(client, h.config, spec)).result();
  assert.equal(result.status, 'succeeded');
  assert.equal(result.finalText, 'fine');
  assert.equal(result.attempts, 2);
  assert.equal(times.length, 2, 'no hidden retries inside the CLI');
  assert.ok((times[1] ?? 0) - (times[0] ?? 0) >= resetMs, `retried after ${(times[1] ?? 0) - (times[0] ?? 0)} ms`);
  assert.equal(await previousAttemptFailure(client, spec.jobId, 2), 'RateLimited');
}

/** An OpenAI-style 429 "try again in 6s" (with retry-after) on the first request, then `fine`; `times` records each request. */
export function rateLimitedOnce(times: number[], fine: ChatReply): () => ChatReply {
  return () => {
    times.push(Date.now());
    if (times.length > 1) return fine;
    const error = {
      message: 'Rate limit reached for scripted on requests per min. Please try again in 6s.',
      type: 'requests',
      code: 'rate_limit_exceeded',
    };
    return { kind: 'error', status: 429, body: { error }, headers: { 'retry-after': '6' } };
  };
}
