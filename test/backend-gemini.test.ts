// The real `gemini` CLI against a scripted Gemini API: edits, resume, 429, 401, a dead server, a hang.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gemini } from '../src/agents/adapters/gemini.js';
import { resolveJobSpec, type JobInput } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import {
  geminiTurns,
  retryInfo,
  sentText,
  startGeminiStub,
  workspaceDirectory,
  type GeminiReply,
} from '../src/dev/scripted-model/gemini.js';
import { assertCommitted } from './support/commit.js';
import { makeRepo } from './support/repo.js';
import { jobFailure, previousAttemptFailure } from './support/outcomes.js';
import { useTemporalAnd } from './support/suite.js';
import { startWorker, type Harness } from './support/temporal.js';

const FAKE_KEY = 'AIza-test-0123456789SECRET';
const MODEL = 'gemini-2.5-pro';
const t = useTemporalAnd(() => startGeminiStub(geminiTurns([])));

const text = (s: string): GeminiReply => ({ kind: 'message', parts: [{ text: s }] });

/** A worker whose gemini backend talks to `baseUrl`; `home` set → the CLI's state goes there, else the state dir. */
async function withWorker<T>(
  fn: (h: Harness) => Promise<T>,
  opts: { baseUrl?: string; home?: boolean } = {},
): Promise<T> {
  const env: Record<string, string> = { GEMINI_API_KEY: FAKE_KEY };
  if (opts.home) env['HOME'] = mkdtempSync(join(tmpdir(), 'nightshift-gemini-home-'));
  const h = await startWorker(t.env, {
    backends: { gemini: { baseUrl: opts.baseUrl ?? t.stub.url, model: MODEL, env } },
  });
  try {
    return await fn(h);
  } finally {
    await h.stop();
  }
}

const submit = async (h: Harness, input: JobInput) => {
  const spec = resolveJobSpec({ backend: 'gemini', ...input }, h.config);
  const handle = await startJob(t.env.client, h.config, spec);
  return { spec, handle };
};

test('parser and classifier: stream-json events, exit codes, stderr-only errors', () => {
  const ctx = {
    prompt: 'x',
    workspace: '/ws',
    config: { env: {}, extraArgs: [] },
    command: 'gemini',
    stateDir: '/tmp',
    requestTimeoutSeconds: 60,
  };
  const p = gemini.parser(ctx, { home: '/tmp' });
  for (const e of [
    { type: 'init', session_id: 's-1', model: MODEL, future_field: 1 },
    { type: 'message', role: 'user', content: 'x' },
    { type: 'tool_use', tool_name: 'write_file', tool_id: 'a', parameters: { file_path: '/ws/a.txt', content: '' } },
    { type: 'tool_use', tool_name: 'replace', tool_id: 'b', parameters: { file_path: '/elsewhere/b.txt' } },
    { type: 'tool_use', tool_name: 'write_file', tool_id: 'c', parameters: { file_path: '/ws/c.txt' } },
    { type: 'tool_result', tool_id: 'a', status: 'success' },
    { type: 'tool_result', tool_id: 'c', status: 'error' },
    { type: 'some_new_event' },
    { type: 'message', role: 'assistant', content: 'Do', delta: true },
    { type: 'message', role: 'assistant', content: 'ne.', delta: true },
    {
      type: 'result',
      status: 'success',
      stats: { total_tokens: 330, input_tokens: 200, output_tokens: 30, cached: 50, tool_calls: 3 },
    },
  ])
    p.feed(JSON.stringify(e));
  p.feed('not json');
  assert.equal(p.run.sessionId, 's-1');
  assert.deepEqual(p.run.filesTouched, ['a.txt']);
  assert.equal(p.run.finalText, 'Done.');
  assert.equal(p.run.turns, 2);
  assert.deepEqual(
    p.run.tokens,
    { input: 150, output: 130, cacheRead: 50, cacheWrite: 0 },
    'thinking (total − prompt) counts as output',
  );
  assert.deepEqual(gemini.classify(p.run, { exitCode: 0, signal: undefined, stderrTail: '', now: 0 }), { ok: true });
  const empty = gemini.parser(ctx, { home: '/tmp' }).run;
  const verdict = (exitCode: number, stderrTail = '') => {
    const v = gemini.classify(empty, { exitCode, signal: undefined, stderrTail, now: 1000 });
    return v.ok ? ['ok'] : [v.type, v.resetAt];
  };
  assert.deepEqual(verdict(41, 'Invalid auth method selected.'), ['AuthFailed', undefined]);
  assert.deepEqual(verdict(55), ['BadRequest', undefined]);
  assert.deepEqual(verdict(0), ['NoResult', undefined]);
  assert.deepEqual(
    verdict(145, 'status: 401'),
    ['AuthFailed', undefined],
    'the CLI exits with the HTTP status mod 256',
  );
  assert.deepEqual(
    verdict(173, 'Attempt 1 failed: Resource has been exhausted.\nSuggested retry after 2.5s.. Max attempts reached'),
    ['RateLimited', 3500],
  );
});

test('a job runs the real gemini CLI: write_file and replace land in the job worktree', async () => {
  let dir = '';
  t.stub.setScript((body, i, r) => {
    dir ||= workspaceDirectory(body) ?? '';
    return geminiTurns([
      {
        kind: 'message',
        parts: [
          {
            functionCall: {
              name: 'write_file',
              args: { file_path: `${dir}/src/hello.ts`, content: 'export const hi = 1;\n' },
            },
          },
        ],
        promptTokens: 1200,
        outputTokens: 31,
      },
      {
        kind: 'message',
        parts: [
          { text: 'Now the readme. ' },
          {
            functionCall: {
              name: 'replace',
              args: {
                file_path: `${dir}/README.md`,
                old_string: '# demo',
                new_string: '# demo, edited',
                instruction: 'edit the title',
              },
            },
          },
        ],
        promptTokens: 1300,
        outputTokens: 42,
      },
      {
        kind: 'message',
        parts: [{ text: 'Added src/hello.ts and edited README.' }],
        promptTokens: 1400,
        outputTokens: 9,
      },
    ])(body, i, r);
  });
  const repo = await makeRepo();
  await withWorker(async (h) => {
    const before = { ...t.stub.usageSent };
    const { spec, handle } = await submit(h, { prompt: 'add hello.ts, edit the readme', repo, kind: 'coding-agent' });
    const result = await handle.result();
    const wt = join(h.dataDir, 'worktrees', spec.jobId);
    assert.equal(result.status, 'succeeded', result.failureMessage);
    assert.equal(dir, wt, 'gemini ran in the job worktree');
    assert.deepEqual(result.filesChanged, ['README.md', 'src/hello.ts'], 'no settings file leaked into the workspace');
    await assertCommitted(
      repo,
      result,
      { 'src/hello.ts': 'export const hi = 1;\n', 'README.md': '# demo, edited\n' },
      { worktree: wt },
    );
    assert.equal(result.tokens.input, t.stub.usageSent.prompt - before.prompt);
    assert.equal(result.tokens.output, t.stub.usageSent.output - before.output);
    assert.equal(result.tokens.input, 1200 + 1300 + 1400);
    assert.equal(result.finalText, 'Added src/hello.ts and edited README.');
    assert.equal(result.attempts, 1);
    const raw = readFileSync(join(h.dataDir, 'jobs', spec.jobId, 'agent-attempt-1.jsonl'), 'utf8');
    const init = raw
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e['type'] === 'init');
    assert.match(result.sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(result.sessionId, init?.['session_id']);
    // The CLI's settings and sessions live in the backend state dir, with the fail-fast settings.
    const settings = JSON.parse(
      readFileSync(join(h.dataDir, 'backends/gemini/home/.gemini/settings.json'), 'utf8'),
    ) as { general: { maxAttempts: number } };
    assert.equal(settings.general.maxAttempts, 1);
    assert.equal(t.stub.requests.at(-1)?.model, MODEL);
    const history = JSON.stringify(await t.env.client.workflow.getHandle(spec.jobId).fetchHistory());
    assert.equal(history.includes(FAKE_KEY), false, 'the API key never reaches the Temporal history');
  });
});

test('resume: the second job continues the first session; its tokens are its own', async () => {
  t.stub.setScript((body) => {
    if (!sentText(body).includes('second question'))
      return { ...text('FIRST-ANSWER-7f3'), promptTokens: 500, outputTokens: 50 };
    return { ...text('second answer'), promptTokens: 900, outputTokens: 60 };
  });
  const repo = await makeRepo();
  await withWorker(async (h) => {
    const first = await (
      await submit(h, { prompt: 'first question', repo, kind: 'llm', workspace: 'in-place' })
    ).handle.result();
    assert.equal(first.status, 'succeeded', first.failureMessage);
    assert.ok(first.sessionId);
    const from = t.stub.requests.length;
    const second = await (
      await submit(h, {
        prompt: 'second question',
        repo,
        kind: 'llm',
        workspace: 'in-place',
        resumeSessionId: first.sessionId,
      })
    ).handle.result();
    assert.equal(second.status, 'succeeded', second.failureMessage);
    const seen = t.stub.requests.slice(from);
    assert.equal(seen.length, 1);
    const sent = sentText(seen[0]?.body ?? {});
    assert.ok(
      sent.includes('first question') && sent.includes('FIRST-ANSWER-7f3'),
      'the model sees the first job’s turns',
    );
    assert.equal(second.sessionId, first.sessionId);
    assert.deepEqual([second.tokens.input, second.tokens.output], [900, 60], 'not cumulative over the session');
    assert.equal(second.finalText, 'second answer');
  });
});

test('429 with RetryInfo → RateLimited, retried no sooner than the reset, then succeeds', async () => {
  const times: number[] = [];
  t.stub.setScript(() => {
    times.push(Date.now());
    if (times.length === 1)
      return {
        kind: 'error',
        status: 429,
        message: 'Resource has been exhausted (e.g. check quota).',
        details: [retryInfo(6)],
      };
    return text('fine');
  });
  await withWorker(
    async (h) => {
      const { spec, handle } = await submit(h, { prompt: 'hi', kind: 'llm', workspace: 'none' });
      const result = await handle.result();
      assert.equal(result.status, 'succeeded', result.failureMessage);
      assert.equal(result.attempts, 2);
      assert.equal(times.length, 2, 'one request per attempt: no retries inside the CLI');
      assert.ok((times[1] ?? 0) - (times[0] ?? 0) >= 6000, `retried after ${(times[1] ?? 0) - (times[0] ?? 0)}ms`);
      assert.equal(await previousAttemptFailure(t.env.client, spec.jobId, 2), 'RateLimited');
    },
    { home: true },
  );
});

test('401 → AuthFailed after exactly one attempt', async () => {
  let calls = 0;
  t.stub.setScript(() => {
    calls++;
    return { kind: 'error', status: 401, message: 'API key not valid. Please pass a valid API key.' };
  });
  await withWorker(
    async (h) => {
      const t0 = Date.now();
      const { spec } = await submit(h, { prompt: 'hi', kind: 'llm', workspace: 'none', maxAttempts: 5 });
      const failure = await jobFailure(t.env.client, spec.jobId);
      assert.equal(failure.type, 'AuthFailed');
      assert.equal(calls, 1);
      assert.equal((failure.details?.[0] as { attempts: number }).attempts, 1);
      assert.ok(Date.now() - t0 < 30_000, `classified in ${Date.now() - t0}ms`);
    },
    { home: true },
  );
});

test('model server down (closed port) → AgentCrashed quickly, no hidden retries', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  await withWorker(
    async (h) => {
      const t0 = Date.now();
      const { spec } = await submit(h, { prompt: 'hi', kind: 'llm', workspace: 'none', maxAttempts: 1 });
      const failure = await jobFailure(t.env.client, spec.jobId);
      const elapsed = Date.now() - t0;
      assert.equal(failure.type, 'AgentCrashed');
      assert.match(failure.message, /fetch failed/);
      assert.ok(elapsed < 30_000, `classified in ${elapsed}ms`);
    },
    { baseUrl: `http://127.0.0.1:${port}`, home: true },
  );
});

test('a model that never answers → AgentTimedOut at the hang timeout', async () => {
  t.stub.setScript(() => ({ kind: 'hang' }));
  await withWorker(
    async (h) => {
      const t0 = Date.now();
      const { spec } = await submit(h, {
        prompt: 'hang',
        kind: 'llm',
        workspace: 'none',
        hangTimeoutSeconds: 3,
        maxAttempts: 1,
      });
      const failure = await jobFailure(t.env.client, spec.jobId);
      assert.equal(failure.type, 'AgentTimedOut');
      assert.ok(Date.now() - t0 < 30_000);
      assert.equal(
        existsSync(join(h.dataDir, 'backends/gemini/home')),
        false,
        'config.env HOME is used instead of the state dir',
      );
    },
    { home: true },
  );
});
