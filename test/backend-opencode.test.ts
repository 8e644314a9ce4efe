// The real `opencode` CLI against a scripted Chat Completions API: file tools, resume, 429, 401, a dead API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import {
  chatTurns,
  startOpenAiChatStub,
  type ChatBody,
  type ChatReply,
} from '../src/dev/scripted-model/openai-chat.js';
import { assertCommitted, committedFiles } from './support/commit.js';
import { makeRepo } from './support/repo.js';
import { jobFailure } from './support/outcomes.js';
import {
  assertAuthFailsOnce,
  assertRetriedAfterReset,
  assertServerDownFast,
  closedPort,
} from './support/backend-cases.js';
import { opencodeBackend, opencodeWorkingDirectory } from './support/openai-clis.js';
import { useTemporalAnd } from './support/suite.js';
import { startWorker, type Harness } from './support/temporal.js';

const FAKE_KEY = 'sk-opencode-test-0123456789abcdefSECRET';
const t = useTemporalAnd(() => startOpenAiChatStub(chatTurns([])));

const say = (text: string, promptTokens = 100, completionTokens = 20): ChatReply => ({
  kind: 'message',
  text,
  promptTokens,
  completionTokens,
});
const contents = (body: ChatBody | undefined): string => JSON.stringify(body?.messages ?? []);

async function withWorker<T>(fn: (h: Harness) => Promise<T>, url = t.stub.url): Promise<T> {
  const h = await startWorker(t.env, {
    backends: { opencode: opencodeBackend(url, FAKE_KEY) },
    defaultBackend: 'opencode',
  });
  try {
    return await fn(h);
  } finally {
    await h.stop();
  }
}

test('an opencode job reads, edits and writes files in its worktree; tokens are the sum the API reported', async () => {
  let dir = '';
  const start = t.stub.requests.length;
  const before = { ...t.stub.usageSent };
  t.stub.setScript((body, i) => {
    dir ||= opencodeWorkingDirectory(body) ?? '';
    return chatTurns([
      {
        kind: 'message',
        toolCalls: [{ name: 'read', arguments: { filePath: `${dir}/README.md` } }],
        promptTokens: 1000,
        completionTokens: 30,
      },
      {
        kind: 'message',
        toolCalls: [
          {
            name: 'edit',
            arguments: { filePath: `${dir}/README.md`, oldString: '# demo', newString: '# demo, edited' },
          },
          { name: 'write', arguments: { filePath: `${dir}/src/hello.ts`, content: 'export const hi = 1;\n' } },
          { name: 'bash', arguments: { command: 'echo from-bash > bash.txt', description: 'write a file' } },
        ],
        promptTokens: 1200,
        completionTokens: 60,
      },
      say('Edited README and added src/hello.ts.', 1400, 12),
    ])(body, i);
  });
  const repo = await makeRepo();
  await withWorker(async (h) => {
    const spec = resolveJobSpec({ prompt: 'edit the readme', repo, kind: 'coding-agent' }, h.config);
    const result = await (await startJob(t.env.client, h.config, spec)).result();
    const wt = join(h.dataDir, 'worktrees', spec.jobId);
    assert.equal(result.status, 'succeeded');
    assert.equal(dir, wt, 'opencode ran in the job worktree');
    assert.equal(readFileSync(join(repo, 'README.md'), 'utf8'), '# demo\n', 'the original checkout is untouched');
    assert.deepEqual(
      result.filesChanged,
      ['README.md', 'bash.txt', 'src/hello.ts'],
      'no opencode config file in the workspace',
    );
    // bash.txt: bash ran in the worktree too.
    const commit = await assertCommitted(
      repo,
      result,
      { 'README.md': '# demo, edited\n', 'src/hello.ts': 'export const hi = 1;\n', 'bash.txt': 'from-bash\n' },
      { worktree: wt },
    );
    assert.equal((await committedFiles(repo, commit.sha)).includes('opencode.json'), false);
    assert.equal(result.finalText, 'Edited README and added src/hello.ts.');
    assert.match(result.sessionId ?? '', /^ses_[0-9A-Za-z]+$/);
    const sent = {
      input: t.stub.usageSent.prompt - before.prompt,
      output: t.stub.usageSent.completion - before.completion,
    };
    assert.deepEqual(result.tokens, { ...sent, cacheRead: 0, cacheWrite: 0 });
    assert.deepEqual(sent, { input: 3600, output: 102 });
    const requests = t.stub.requests.slice(start);
    assert.equal(requests.length, 3, 'three model calls, no title request');
    assert.ok(requests.every((r) => r.authorization === `Bearer ${FAKE_KEY}` && r.body.model === 'scripted'));
    const history = JSON.stringify(await t.env.client.workflow.getHandle(spec.jobId).fetchHistory());
    assert.equal(history.includes(FAKE_KEY), false, 'the API key never reaches the Temporal history');
  });
});

test('a second job resumes the session: the model sees the first job, tokens are the second job only', async () => {
  const start = t.stub.requests.length;
  const answers = [say('The word is PELICAN.', 500, 9), say('You asked me to remember PELICAN.', 700, 11)];
  t.stub.setScript((body) => (body.tools?.length ? (answers.shift() ?? say('extra')) : say('ok', 0, 0)));
  const repo = await makeRepo();
  await withWorker(async (h) => {
    const first = resolveJobSpec(
      { prompt: 'Remember the word PELICAN.', repo, kind: 'llm', workspace: 'in-place' },
      h.config,
    );
    const r1 = await (await startJob(t.env.client, h.config, first)).result();
    assert.equal(r1.status, 'succeeded');
    assert.deepEqual(r1.tokens, { input: 500, output: 9, cacheRead: 0, cacheWrite: 0 });
    const second = resolveJobSpec(
      { prompt: 'Which word?', repo, kind: 'llm', workspace: 'in-place', resumeSessionId: r1.sessionId },
      h.config,
    );
    const r2 = await (await startJob(t.env.client, h.config, second)).result();
    assert.equal(r2.status, 'succeeded');
    assert.equal(r2.sessionId, r1.sessionId, 'same session');
    assert.equal(r2.finalText, 'You asked me to remember PELICAN.');
    assert.deepEqual(r2.tokens, { input: 700, output: 11, cacheRead: 0, cacheWrite: 0 }, "this job's tokens only");
    const last = t.stub.requests.at(-1)?.body;
    const seen = contents(last);
    assert.ok(
      seen.includes('Remember the word PELICAN.') &&
        seen.includes('The word is PELICAN.') &&
        seen.includes('Which word?'),
      seen.slice(-600),
    );
    assert.equal(t.stub.requests.length, start + 2);
  });
});

test('429 with retry-after → RateLimited on attempt 1, attempt 2 no sooner than the reset, then success', async () => {
  const times: number[] = [];
  t.stub.setScript((body) => {
    if (!body.tools?.length) return say('ok', 0, 0);
    times.push(Date.now());
    if (times.length > 1) return say('fine');
    return {
      kind: 'error',
      status: 429,
      body: { error: { message: 'Slow down.', type: 'requests' } },
      headers: { 'retry-after': '6' },
    };
  });
  await withWorker((h) => assertRetriedAfterReset(t.env.client, h, times, 6000));
});

test('401 → AuthFailed after exactly one attempt', async () => {
  let calls = 0;
  t.stub.setScript((body) => {
    if (!body.tools?.length) return say('ok', 0, 0);
    calls++;
    return {
      kind: 'error',
      status: 401,
      body: {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
      },
    };
  });
  await withWorker((h) => assertAuthFailsOnce(t.env.client, h, () => calls, /Incorrect API key/));
});

test('model server down → AgentCrashed within seconds, not a minute of hidden retries', async () => {
  const port = await closedPort();
  await withWorker(
    (h) => assertServerDownFast(t.env.client, h, /Cannot connect to API|Unable to connect/),
    `http://127.0.0.1:${port}`,
  );
});

test("an unknown model → BadRequest after one attempt (the cause comes from opencode's error log)", async () => {
  const { env } = opencodeBackend(t.stub.url, FAKE_KEY);
  const backend = { model: 'nope/no-such-model', env: { ...env, OPENCODE_DISABLE_MODELS_FETCH: '1' } };
  const h = await startWorker(t.env, { backends: { opencode: backend }, defaultBackend: 'opencode' });
  try {
    const spec = resolveJobSpec({ prompt: 'hi', kind: 'llm', workspace: 'none', maxAttempts: 3 }, h.config);
    await startJob(t.env.client, h.config, spec);
    const failure = await jobFailure(t.env.client, spec.jobId);
    assert.equal(failure.type, 'BadRequest');
    assert.match(failure.message, /Model not found: nope\/no-such-model/);
    assert.equal((failure.details?.[0] as { attempts: number }).attempts, 1);
  } finally {
    await h.stop();
  }
});

/** A port nothing listens on: bound, then released. */
