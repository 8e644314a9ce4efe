// Verification with fix rounds, and review by a second model (llm) of claude's change — real CLIs.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import { primaryDirectory, type MessagesBody, type ScriptedReply } from '../src/dev/scripted-model/anthropic.js';
import { startOpenAiChatStub, type ChatReply, type ChatServer } from '../src/dev/scripted-model/openai-chat.js';
import { claudeBackend } from './support/claude.js';
import { nightshift } from './support/cli.js';
import { jobFailure } from './support/outcomes.js';
import { makeRepo } from './support/repo.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker } from './support/temporal.js';

const t = useTemporalAndModel();
let reviewer: ChatServer;
before(async () => void (reviewer = await startOpenAiChatStub(() => ({ kind: 'message', text: 'unused' }))));
after(async () => void (await reviewer?.close()));

const lastUser = (body: MessagesBody): string =>
  JSON.stringify([...(body.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '');
const write = (body: MessagesBody, file: string, content = 'x\n'): ScriptedReply => ({
  kind: 'message',
  blocks: [
    { type: 'tool_use', name: 'Write', input: { file_path: `${primaryDirectory(body) ?? ''}/${file}`, content } },
  ],
});
const text = (s: string): ScriptedReply => ({ kind: 'message', blocks: [{ type: 'text', text: s }] });

/** The author: writes `first` for the task, then `on[trigger]` when a follow-up mentions the trigger. */
function author(first: string, on: Record<string, string>) {
  return (body: MessagesBody): ScriptedReply => {
    if (!body.tools?.length) return text('ok');
    const user = lastUser(body);
    if (user.includes('tool_result')) return text('done');
    const hit = Object.entries(on).find(([trigger]) => user.includes(trigger));
    return write(body, hit ? hit[1] : first);
  };
}

async function harness() {
  const home = mkdtempSync(join(tmpdir(), 'nightshift-llm-home-'));
  return startWorker(t.env, {
    backends: {
      claude: claudeBackend(t.stub.url),
      llm: { baseUrl: reviewer.url, model: 'scripted', env: { HOME: home, OPENAI_API_KEY: 'sk-test-reviewer' } },
    },
  });
}

test('a check that fails once: the fix round sends its output to the same session; succeeded with 1 fix round', async () => {
  t.stub.setScript(author('a.txt', { 'fixed.txt is missing': 'fixed.txt' }));
  const h = await harness();
  try {
    const check = ['sh', '-c', 'test -f fixed.txt || { echo "fixed.txt is missing"; exit 1; }'];
    const spec = resolveJobSpec(
      { prompt: 'make a.txt', repo: await makeRepo(), kind: 'coding-agent', check, fixRounds: 2 },
      h.config,
    );
    const seen = t.stub.requests.length;
    const result = await (await startJob(t.env.client, h.config, spec)).result();
    assert.equal(result.status, 'succeeded');
    assert.equal(result.fixRounds, 1);
    assert.equal(result.check?.passed, true);
    assert.deepEqual(result.filesChanged, ['a.txt', 'fixed.txt']);
    const followUp = t.stub.requests.slice(seen).find((r) => lastUser(r.body).includes('fixed.txt is missing'));
    assert.ok(followUp, 'the check output reached the agent');
    assert.ok(
      JSON.stringify(followUp.body.messages).includes('make a.txt'),
      'in the same session: the first turn is in the request',
    );
  } finally {
    await h.stop();
  }
});

test('review by llm: revise once, then approve → succeeded, revised: true, two verdicts', async () => {
  t.stub.setScript(author('impl.txt', { 'add tests': 'impl.test.txt' }));
  const verdicts: ChatReply[] = [
    { kind: 'message', text: '```json\n{"verdict": "revise", "reasons": ["add tests for impl"]}\n```' },
    { kind: 'message', text: '{"verdict": "approve", "reasons": ["tests added"]}' },
  ];
  const diffs: string[] = [];
  reviewer.setScript((body) => {
    diffs.push(JSON.stringify(body.messages));
    return verdicts[diffs.length - 1] ?? { kind: 'message', text: 'no' };
  });
  const h = await harness();
  try {
    const spec = resolveJobSpec(
      { prompt: 'implement impl', repo: await makeRepo(), kind: 'coding-agent', review: 'llm' },
      h.config,
    );
    const result = await (await startJob(t.env.client, h.config, spec)).result();
    assert.equal(result.status, 'succeeded');
    assert.equal(result.revised, true);
    assert.deepEqual(
      result.reviews?.map((v) => [v.round, v.backend, v.verdict]),
      [
        [1, 'llm', 'revise'],
        [2, 'llm', 'approve'],
      ],
    );
    assert.deepEqual(result.reviews?.[0]?.reasons, ['add tests for impl']);
    assert.ok(diffs[0]?.includes('impl.txt') && !diffs[0].includes('impl.test.txt'), 'round 1 reviewed the first diff');
    assert.ok(diffs[1]?.includes('impl.test.txt'), 'round 2 reviewed the revision');
    assert.deepEqual(result.filesChanged, ['impl.test.txt', 'impl.txt']);
  } finally {
    await h.stop();
  }
});

test('a reviewer that emits malformed output → ReviewMalformed, not approval', async () => {
  t.stub.setScript(author('impl.txt', {}));
  reviewer.setScript(() => ({ kind: 'message', text: 'Looks great to me, ship it!' }));
  const h = await harness();
  try {
    const spec = resolveJobSpec(
      { prompt: 'implement impl', repo: await makeRepo(), kind: 'coding-agent', review: 'llm' },
      h.config,
    );
    await startJob(t.env.client, h.config, spec);
    const failure = await jobFailure(t.env.client, spec.jobId);
    assert.equal(failure.type, 'ReviewMalformed');
    assert.match(failure.message, /no valid verdict/);
  } finally {
    await h.stop();
  }
});

test('history of a job rate-limited once and reviewed once shows both, in order', async () => {
  let calls = 0;
  const resetAt = Date.now() + 3000;
  const base = author('impl.txt', {});
  t.stub.setScript((body) => {
    if (body.tools?.length && ++calls === 1) {
      const message = `Claude AI usage limit reached|${Math.ceil(resetAt / 1000)}`;
      return { kind: 'error', status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message } } };
    }
    return base(body);
  });
  reviewer.setScript(() => ({ kind: 'message', text: '{"verdict": "approve", "reasons": ["fine"]}' }));
  const h = await harness();
  try {
    const spec = resolveJobSpec(
      { prompt: 'implement impl', repo: await makeRepo(), kind: 'coding-agent', review: 'llm' },
      h.config,
    );
    const result = await (await startJob(t.env.client, h.config, spec)).result();
    assert.equal(result.status, 'succeeded');
    const r = await nightshift(['history', spec.jobId, '--json'], { address: t.env.address, harness: h });
    assert.equal(r.exitCode, 0, r.stderr);
    const entries = (JSON.parse(r.stdout) as { timeline: { what: string; waitSeconds?: number }[] }).timeline;
    const lines = entries.map((e) => e.what);
    const wait = entries.find((e) => e.waitSeconds !== undefined)?.waitSeconds;
    assert.ok(
      wait !== undefined && Math.abs(wait - result.leaseWaitMs / 1000) < 0.5,
      `lease wait ${String(wait)}s vs the result's ${result.leaseWaitMs} ms`,
    );
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const order = [
      /^queued: coding-agent job on claude/,
      /^asked the capacity workflow for a lease/,
      /^lease granted/,
      /^workspace /,
      /^runAgent attempt 1 failed: RateLimited/,
      /^agent claude \[agent\] attempt 2/,
      /^agent llm \[review-1\]/,
      /^review round 1 by llm: approve/,
      /^changed files: /,
      /^lease released/,
      /^recorded in the ledger/,
      /^finished: succeeded/,
    ];
    const positions = order.map(at);
    assert.ok(
      positions.every((p) => p >= 0),
      `missing: ${order.filter((_, i) => positions[i] === -1).join(', ')}\n${lines.join('\n')}`,
    );
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
      lines.join('\n'),
    );
  } finally {
    await h.stop();
  }
});
