// The real `codex exec` CLI against a scripted Responses API: tool use, resume, 429, 401, a dead API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { codexResetAt } from '../src/agents/adapters/codex.js';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import {
  lastUserText,
  responsesTurns,
  startOpenAiResponsesStub,
  type ResponsesReply,
  type ResponsesServer,
} from '../src/dev/scripted-model/openai-responses.js';
import { assertCommitted } from './support/commit.js';
import { makeRepo } from './support/repo.js';
import { previousAttemptFailure } from './support/outcomes.js';
import { assertAuthFailsOnce, assertServerDownFast, closedPort } from './support/backend-cases.js';
import { codexBackend } from './support/openai-clis.js';
import { useTemporalAnd } from './support/suite.js';
import { startWorker, type Harness } from './support/temporal.js';

const FAKE_KEY = 'sk-openai-test-0123456789abcdefSECRET';
const t = useTemporalAnd(() => startOpenAiResponsesStub(responsesTurns([])));

async function withWorker<T>(
  fn: (h: Harness) => Promise<T>,
  raw: Record<string, unknown> = {},
  url = t.stub.url,
): Promise<T> {
  const h = await startWorker(t.env, { backends: { codex: codexBackend(url, FAKE_KEY) }, ...raw });
  try {
    return await fn(h);
  } finally {
    await h.stop();
  }
}

const exec = (cmd: string, tokens: [number, number, number]): ResponsesReply => ({
  kind: 'message',
  toolCalls: [{ name: 'exec_command', arguments: { cmd } }],
  inputTokens: tokens[0],
  cachedTokens: tokens[1],
  outputTokens: tokens[2],
});
const say = (text: string, tokens: [number, number, number] = [150, 40, 9]): ResponsesReply => ({
  kind: 'message',
  text,
  inputTokens: tokens[0],
  cachedTokens: tokens[1],
  outputTokens: tokens[2],
});
const usageSince = (from: ResponsesServer['usageSent']) => ({
  input: t.stub.usageSent.input - from.input,
  cached: t.stub.usageSent.cached - from.cached,
  output: t.stub.usageSent.output - from.output,
});

test('a job runs the real codex CLI: exec_command and apply_patch write into the job worktree; tokens and thread id reported', async () => {
  t.stub.setScript(
    responsesTurns([
      exec("mkdir -p src && printf 'export const x = 1;\\n' > src/x.ts", [1200, 300, 17]),
      exec(
        `apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: README.md\n@@\n-# demo\n+# demo, edited\n*** End Patch\nEOF\n`,
        [1500, 1100, 23],
      ),
      say('Created src/x.ts and edited the README.', [1700, 1400, 11]),
    ]),
  );
  const repo = await makeRepo();
  await withWorker(async (h) => {
    const from = { ...t.stub.usageSent };
    const firstRequest = t.stub.requests.length;
    const spec = resolveJobSpec({ prompt: 'add src/x.ts', repo, kind: 'coding-agent', backend: 'codex' }, h.config);
    const result = await (await startJob(t.env.client, h.config, spec)).result();
    const wt = join(h.dataDir, 'worktrees', spec.jobId);
    assert.equal(result.status, 'succeeded', result.failureMessage);
    assert.equal(readFileSync(join(repo, 'README.md'), 'utf8'), '# demo\n', 'the original checkout is untouched');
    assert.deepEqual(result.filesChanged, ['README.md', 'src/x.ts']);
    await assertCommitted(
      repo,
      result,
      { 'src/x.ts': 'export const x = 1;\n', 'README.md': '# demo, edited\n' },
      { worktree: wt },
    );
    const requests = t.stub.requests.slice(firstRequest);
    assert.equal(requests.length, 3);
    assert.match(
      JSON.stringify(requests[0]?.body.input),
      new RegExp(`<cwd>${wt}</cwd>`),
      'codex ran in the job worktree',
    );
    assert.equal(requests[0]?.headers['authorization'], `Bearer ${FAKE_KEY}`, 'the key reached codex through env');
    // Tokens: OpenAI input_tokens include cached ones; nightshift's input excludes cache reads.
    const sent = usageSince(from);
    assert.deepEqual(result.tokens, {
      input: sent.input - sent.cached,
      cacheRead: sent.cached,
      output: sent.output,
      cacheWrite: 0,
    });
    assert.equal(sent.input, 4400);
    const raw = readFileSync(join(h.dataDir, 'jobs', spec.jobId, 'agent-attempt-1.jsonl'), 'utf8');
    const started = raw
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; thread_id?: string })
      .find((e) => e.type === 'thread.started');
    assert.match(result.sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(result.sessionId, started?.thread_id);
    assert.equal(result.finalText, 'Created src/x.ts and edited the README.');
    const events = (await t.env.client.workflow.getHandle(spec.jobId).fetchHistory()).events ?? [];
    assert.equal(JSON.stringify(events).includes(FAKE_KEY), false, 'the API key never reaches the Temporal history');
    // The patch arrives as a file_change item: the agent summary lists it relative to the worktree.
    const summaries = events
      .flatMap((e) => e.activityTaskCompletedEventAttributes?.result?.payloads ?? [])
      .map((p) => Buffer.from(p.data ?? []).toString());
    const summary = summaries
      .filter((text) => text.includes('"filesTouched"'))
      .map((text) => JSON.parse(text) as { filesTouched: string[] })[0];
    assert.deepEqual(summary?.filesTouched, ['README.md']);
  });
});

test('resume: the second job continues the thread (the model sees turn 1) and is charged only its own tokens', async () => {
  t.stub.setScript((body, i) => {
    if (lastUserText(body) === 'first task')
      return responsesTurns([exec('echo one > one.txt', [1000, 0, 10]), say('wrote one.txt', [1300, 900, 12])])(
        body,
        i,
      );
    return responsesTurns([exec('echo two > two.txt', [2000, 1200, 20]), say('wrote two.txt', [2400, 2000, 7])])(
      body,
      i,
    );
  });
  const repo = await makeRepo();
  await withWorker(async (h) => {
    const run = async (prompt: string, resumeSessionId?: string) => {
      const spec = resolveJobSpec(
        { prompt, repo, backend: 'codex', workspace: 'in-place', ...(resumeSessionId ? { resumeSessionId } : {}) },
        h.config,
      );
      return (await startJob(t.env.client, h.config, spec)).result();
    };
    const first = await run('first task');
    assert.equal(first.status, 'succeeded', first.failureMessage);
    const from = { ...t.stub.usageSent };
    const firstRequest = t.stub.requests.length;
    const second = await run('second task', first.sessionId);
    assert.equal(second.status, 'succeeded', second.failureMessage);
    assert.equal(second.sessionId, first.sessionId);
    assert.equal(readFileSync(join(repo, 'two.txt'), 'utf8'), 'two\n');
    const resumed = JSON.stringify(t.stub.requests[firstRequest]?.body.input);
    assert.ok(
      resumed.includes('first task') && resumed.includes('echo one > one.txt') && resumed.includes('wrote one.txt'),
      'turn 1 is in the resumed request',
    );
    // codex reports the thread's cumulative usage; the job is charged only what the resume added.
    const sent = usageSince(from);
    assert.deepEqual(second.tokens, {
      input: sent.input - sent.cached,
      cacheRead: sent.cached,
      output: sent.output,
      cacheWrite: 0,
    });
    assert.deepEqual(first.tokens, { input: 2300 - 900, cacheRead: 900, output: 22, cacheWrite: 0 });
  });
});

test('429 with a reset → RateLimited, retried no sooner than the reset, then succeeds', async () => {
  // Codex prints the reset to the minute ("Try again at 3:28 AM."): put the reset 1 s before a minute boundary.
  const boundary = Math.ceil((Date.now() + 6000) / 60_000) * 60_000;
  const resetAt = boundary - 1000;
  const times: number[] = [];
  t.stub.setScript(() => {
    times.push(Date.now());
    if (times.length > 1) return say('fine');
    return {
      kind: 'error',
      status: 429,
      body: {
        error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', resets_at: resetAt / 1000 },
      },
    };
  });
  // A 1 s fallback: had the reset not been parsed, attempt 2 would come far too early.
  await withWorker(
    async (h) => {
      const spec = resolveJobSpec({ prompt: 'hi', kind: 'llm', backend: 'codex', workspace: 'none' }, h.config);
      const result = await (await startJob(t.env.client, h.config, spec)).result();
      assert.equal(result.status, 'succeeded', result.failureMessage);
      assert.equal(result.attempts, 2);
      assert.equal(times.length, 2);
      const second = times[1] ?? 0;
      assert.ok(second >= resetAt, `retried ${second - resetAt} ms relative to the reset`);
      assert.ok(second < boundary + 15_000, `retried ${second - boundary} ms after the announced minute ended`);
      assert.equal(await previousAttemptFailure(t.env.client, spec.jobId, 2), 'RateLimited');
    },
    { jobs: { rateLimitFallbackSeconds: 1 } },
  );
});

test('401 → AuthFailed after exactly one attempt (one request: no retries inside codex)', async () => {
  let calls = 0;
  t.stub.setScript(() => {
    calls++;
    return {
      kind: 'error',
      status: 401,
      body: {
        error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
      },
    };
  });
  await withWorker((h) => assertAuthFailsOnce(t.env.client, h, () => calls, /401/, 'codex'));
});

test('model API down (closed port) → AgentCrashed "Connection failed" within seconds, no hidden retries', async () => {
  const port = await closedPort();
  await withWorker(
    (h) => assertServerDownFast(t.env.client, h, /Connection failed/, 'codex'),
    {},
    `http://127.0.0.1:${port}`,
  );
});

test('codex reset text: minute precision rounds up, dates and zones respected', () => {
  const now = Date.UTC(2026, 10, 24, 15, 27, 40);
  assert.equal(
    codexResetAt('You’ve hit your usage limit. Try again at 3:27 PM.', now, 'UTC'),
    Date.UTC(2026, 10, 24, 15, 28),
  );
  assert.equal(codexResetAt('Try again at 4:05 PM.', now, 'Europe/Lisbon'), Date.UTC(2026, 10, 24, 16, 6));
  assert.equal(codexResetAt('Try again at 5:05 PM.', now, 'Europe/Berlin'), Date.UTC(2026, 10, 24, 16, 6));
  assert.equal(codexResetAt('or try again at Nov 25th, 2026 12:00 AM.', now, 'UTC'), Date.UTC(2026, 10, 25, 0, 1));
  assert.equal(codexResetAt('Try again later.', now, 'UTC'), undefined);
});
