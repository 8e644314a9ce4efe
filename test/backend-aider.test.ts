// The real `aider` CLI against a scripted Chat Completions API: a whole-format edit, 429, 401, a dead API.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import { startOpenAiChatStub, type ChatReply } from '../src/dev/scripted-model/openai-chat.js';
import { assertCommitted, committedFiles } from './support/commit.js';
import { makeRepo } from './support/repo.js';
import {
  assertAuthFailsOnce,
  assertRetriedAfterReset,
  assertServerDownFast,
  closedPort,
  rateLimitedOnce,
} from './support/backend-cases.js';
import { useTemporalAnd } from './support/suite.js';
import { startWorker, type Harness } from './support/temporal.js';

const FAKE_KEY = 'sk-aider-test-0123456789abcdefSECRET';
const t = useTemporalAnd(() => startOpenAiChatStub(() => say('unused')));

const say = (text: string, promptTokens = 100, completionTokens = 20): ChatReply => ({
  kind: 'message',
  text,
  promptTokens,
  completionTokens,
});
/** A reply in aider's "whole" edit format: the file name, then the full file in a fence. */
const wholeFile = (path: string, content: string): string =>
  `I will create ${path}.\n\n${path}\n\`\`\`\n${content}\`\`\`\n`;

function aiderBackend(url: string) {
  const home = mkdtempSync(join(tmpdir(), 'nightshift-aider-home-'));
  return {
    baseUrl: url,
    model: 'scripted',
    env: { HOME: home, OPENAI_API_KEY: FAKE_KEY },
    extraArgs: ['--edit-format', 'whole'],
  };
}

async function withWorker<T>(
  fn: (h: Harness) => Promise<T>,
  url = t.stub.url,
  raw: Record<string, unknown> = {},
): Promise<T> {
  const h = await startWorker(t.env, { backends: { aider: aiderBackend(url) }, defaultBackend: 'aider', ...raw });
  try {
    return await fn(h);
  } finally {
    await h.stop();
  }
}

test('a coding job: aider writes the file from a whole-format reply; exact tokens; no .aider* files in the worktree', async () => {
  const start = t.stub.requests.length;
  const before = { ...t.stub.usageSent };
  // 1234 prompt tokens print as "1.2k sent": equality below proves the exact counts come from the analytics log.
  t.stub.setScript(() => say(wholeFile('hello.txt', 'hi from aider\n'), 1234, 56));
  const repo = await makeRepo();
  await withWorker(
    async (h) => {
      const spec = resolveJobSpec({ prompt: 'create hello.txt saying hi', repo, kind: 'coding-agent' }, h.config);
      const result = await (await startJob(t.env.client, h.config, spec)).result();
      const wt = join(h.dataDir, 'worktrees', spec.jobId);
      assert.equal(result.status, 'succeeded', result.failureMessage);
      assert.equal(existsSync(join(repo, 'hello.txt')), false, 'the original checkout is untouched');
      assert.deepEqual(result.filesChanged, ['hello.txt'], 'histories, tags cache and CONVENTIONS.md are not changes');
      const commit = await assertCommitted(repo, result, { 'hello.txt': 'hi from aider\n' }, { worktree: wt });
      assert.deepEqual(
        (await committedFiles(repo, commit.sha)).filter((f) => f.startsWith('.aider') || f === 'CONVENTIONS.md'),
        [],
        'no aider file and no instructions file is committed',
      );
      assert.equal(t.stub.requests.length, start + 1);
      assert.deepEqual(result.tokens, { input: 1234, output: 56, cacheRead: 0, cacheWrite: 0 });
      assert.equal(result.tokens.input, t.stub.usageSent.prompt - before.prompt);
      assert.equal(result.tokens.output, t.stub.usageSent.completion - before.completion);
      assert.equal(result.sessionId, undefined, 'aider has no resumable session');
      assert.match(result.finalText, /^I will create hello\.txt\./);
      const req = t.stub.requests[start];
      assert.equal(req?.body.model, 'scripted');
      assert.equal(req?.authorization, `Bearer ${FAKE_KEY}`);
      const sent = JSON.stringify(req?.body.messages);
      assert.ok(
        sent.includes('Always answer in haiku.'),
        'CONVENTIONS.md (the portable instructions) is passed with --read',
      );
      assert.ok(sent.includes('create hello.txt saying hi'));
      const history = JSON.stringify(await t.env.client.workflow.getHandle(spec.jobId).fetchHistory());
      assert.equal(history.includes(FAKE_KEY), false, 'the API key never reaches the Temporal history');
    },
    t.stub.url,
    { instructions: 'Always answer in haiku.' },
  );
});

test('429 "try again in 6s" → RateLimited (aider exits 0), one request per attempt, retried no sooner than the reset', async () => {
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
          message: 'Incorrect API key provided: sk-aider-***',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    };
  });
  await withWorker((h) => assertAuthFailsOnce(t.env.client, h, () => calls, /AuthenticationError/));
});

test('model server down → AgentCrashed within seconds, not minutes of hidden retries', async () => {
  const port = await closedPort();
  await withWorker((h) => assertServerDownFast(t.env.client, h, /Connection error/), `http://127.0.0.1:${port}`);
});

/** A port nothing listens on: bound, then released. */
