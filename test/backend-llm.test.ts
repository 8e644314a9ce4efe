// The real `llm` CLI against a scripted Chat Completions API: answer + tokens, --cid resume, 429, 401, a dead API.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import { startOpenAiChatStub, type ChatBody, type ChatReply } from '../src/dev/scripted-model/openai-chat.js';
import {
  assertAuthFailsOnce,
  assertRetriedAfterReset,
  assertServerDownFast,
  closedPort,
  rateLimitedOnce,
} from './support/backend-cases.js';
import { useTemporalAnd } from './support/suite.js';
import { startWorker, type Harness } from './support/temporal.js';

const FAKE_KEY = 'sk-llm-test-0123456789abcdefSECRET';
const t = useTemporalAnd(() => startOpenAiChatStub(() => say('unused')));

const say = (text: string, promptTokens = 123, completionTokens = 45): ChatReply => ({
  kind: 'message',
  text,
  promptTokens,
  completionTokens,
});
const userTexts = (body: ChatBody | undefined) => (body?.messages ?? []).map((m) => `${m.role}: ${String(m.content)}`);

function llmBackend(url: string) {
  const home = mkdtempSync(join(tmpdir(), 'nightshift-llm-home-'));
  return { baseUrl: url, model: 'scripted', env: { HOME: home, OPENAI_API_KEY: FAKE_KEY } };
}

async function withWorker<T>(
  fn: (h: Harness) => Promise<T>,
  url = t.stub.url,
  raw: Record<string, unknown> = {},
): Promise<T> {
  const h = await startWorker(t.env, { backends: { llm: llmBackend(url) }, defaultBackend: 'llm', ...raw });
  try {
    return await fn(h);
  } finally {
    await h.stop();
  }
}

test('an llm job: the answer, the exact tokens and the conversation id come back; then --cid resumes it', async () => {
  const answers = [say('Paris.', 123, 45), say('About 2.1 million.', 210, 7)];
  const start = t.stub.requests.length;
  t.stub.setScript((_body, i) => answers[i - start] ?? say('extra'));
  await withWorker(
    async (h) => {
      const first = resolveJobSpec({ prompt: 'Capital of France?', kind: 'llm', workspace: 'none' }, h.config);
      const r1 = await (await startJob(t.env.client, h.config, first)).result();
      assert.equal(r1.status, 'succeeded');
      assert.equal(r1.backend, 'llm');
      assert.equal(r1.finalText, 'Paris.');
      assert.deepEqual(r1.tokens, { input: 123, output: 45, cacheRead: 0, cacheWrite: 0 });
      assert.match(r1.sessionId ?? '', /^[0-9a-z]{26}$/, 'the llm conversation id');
      const req1 = t.stub.requests[start];
      assert.equal(req1?.body.model, 'scripted');
      assert.equal(req1?.authorization, `Bearer ${FAKE_KEY}`, 'the key travels in env, reaches the API');
      assert.deepEqual(userTexts(req1?.body), ['system: Answer in one line.', 'user: Capital of France?']);

      const second = resolveJobSpec(
        { prompt: 'Its population?', kind: 'llm', workspace: 'none', resumeSessionId: r1.sessionId },
        h.config,
      );
      const r2 = await (await startJob(t.env.client, h.config, second)).result();
      assert.equal(r2.status, 'succeeded');
      assert.equal(r2.finalText, 'About 2.1 million.');
      assert.equal(r2.sessionId, r1.sessionId, 'same conversation');
      assert.deepEqual(r2.tokens, { input: 210, output: 7, cacheRead: 0, cacheWrite: 0 }, "this job's tokens only");
      assert.deepEqual(userTexts(t.stub.requests[start + 1]?.body), [
        'system: Answer in one line.',
        'user: Capital of France?',
        'assistant: Paris.',
        'user: Its population?',
      ]);
      assert.equal(t.stub.requests.length, start + 2);
      for (const id of [first.jobId, second.jobId]) {
        const history = JSON.stringify(await t.env.client.workflow.getHandle(id).fetchHistory());
        assert.equal(history.includes(FAKE_KEY), false, 'the API key never reaches the Temporal history');
      }
    },
    t.stub.url,
    { instructions: 'Answer in one line.' },
  );
});

test('429 "try again in 6s" → RateLimited, one request per attempt, retried no sooner than the reset', async () => {
  const times: number[] = [];
  t.stub.setScript(rateLimitedOnce(times, say('fine')));
  await withWorker((h) => assertRetriedAfterReset(t.env.client, h, times, 6000));
});

test('401 → AuthFailed after exactly one attempt', async () => {
  let calls = 0;
  t.stub.setScript(() => {
    calls++;
    return {
      kind: 'error',
      status: 401,
      body: {
        error: {
          message: 'Incorrect API key provided: sk-llm-***',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    };
  });
  await withWorker((h) => assertAuthFailsOnce(t.env.client, h, () => calls, /401/));
});

test('model server down → AgentCrashed within seconds, not minutes of hidden retries', async () => {
  const port = await closedPort();
  await withWorker((h) => assertServerDownFast(t.env.client, h, /Connection error/), `http://127.0.0.1:${port}`);
});

/** A port nothing listens on: bound, then released. */
