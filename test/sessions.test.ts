// Warm sessions on the real claude CLI: resumed agent sessions, worker restarts, continue-as-new, fresh sessions, idle close.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { openSession, submitToSession, waitForSessionJob } from '../src/client/sessions.js';
import { primaryDirectory, type MessagesBody, type Script } from '../src/dev/scripted-model/anthropic.js';
import type { JobResult } from '../src/protocol/result.js';
import { sessionWorkflowId } from '../src/protocol/ids.js';
import type { SessionView } from '../src/protocol/session.js';
import { claudeBackend } from './support/claude.js';
import { nightshift } from './support/cli.js';
import { waitFor } from './support/procs.js';
import { makeRepo } from './support/repo.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker, type Harness } from './support/temporal.js';

const t = useTemporalAndModel();

const isToolResult = (m: { content: unknown } | undefined): boolean =>
  JSON.stringify(m?.content ?? '').includes('"tool_result"');

type Message = NonNullable<MessagesBody['messages']>[number];

/**
 * The conversation's turns without claude's own `<system-reminder>` context, whose git status lists the session
 * branch's recent commits — every earlier job's, as the engine commits each job's work with its task as subject.
 */
const turnsOf = (messages: Message[]): Message[] =>
  messages.map((m) => ({
    ...m,
    content: Array.isArray(m.content)
      ? m.content.filter((b: { text?: unknown }) => !String(b.text ?? '').startsWith('<system-reminder>'))
      : m.content,
  }));

/** The job a request belongs to: the newest "job <tag>" prompt in the conversation. */
function tagOf(body: MessagesBody): string {
  const users = turnsOf(body.messages ?? []).filter((m) => m.role === 'user' && !isToolResult(m));
  const text = JSON.stringify(users.at(-1)?.content ?? '');
  return /job ([a-z]+)/.exec(text)?.[1] ?? '?';
}

/**
 * Each job writes `<tag>.txt`, then answers "done <tag>". `first[tag]` keeps the messages of the job's
 * first request (to see what the model was shown); `hold(tag)` may hang that request once.
 */
function sessionScript(first: Record<string, string>, hold: (tag: string) => boolean = () => false): Script {
  return (body) => {
    if (!body.tools?.length) return { kind: 'message', blocks: [{ type: 'text', text: 'ok' }] };
    const tag = tagOf(body);
    const messages = body.messages ?? [];
    if (isToolResult(messages.at(-1))) return { kind: 'message', blocks: [{ type: 'text', text: `done ${tag}` }] };
    first[tag] ??= JSON.stringify(turnsOf(messages));
    if (hold(tag)) return { kind: 'hang' };
    const dir = primaryDirectory(body) ?? '';
    return {
      kind: 'message',
      blocks: [{ type: 'tool_use', name: 'Write', input: { file_path: `${dir}/${tag}.txt`, content: `${tag}\n` } }],
    };
  };
}

async function resultOf(h: Harness, name: string, jobId: string): Promise<JobResult> {
  const record = await waitForSessionJob(t.env.client, h.config, name, jobId, 300);
  assert.ok(record.result, `${jobId}: ${record.status}`);
  return record.result;
}

test('three jobs in one session resume the first agent session; a worker killed mid-job loses nothing', async () => {
  const first: Record<string, string> = {};
  let held = false;
  t.stub.setScript(sessionScript(first, (tag) => tag === 'two' && !held && (held = true)));
  const repo = await makeRepo();
  const raw = { backends: { claude: claudeBackend(t.stub.url) }, jobs: { heartbeatSeconds: 2 } };
  let h = await startWorker(t.env, raw);
  const reuse = { taskQueue: h.config.temporal.taskQueue, dataDir: h.dataDir };
  try {
    const cli = await nightshift(['submit', '--session', 'triage', '--repo', repo, 'job one: write one.txt'], {
      address: t.env.address,
      harness: h,
    });
    assert.equal(cli.exitCode, 0, cli.stderr);
    const id1 = cli.stdout.trim();
    assert.match(id1, /^job-[0-9a-f]{8}$/);
    const s2 = await submitToSession(t.env.client, h.config, 'triage', { prompt: 'job two: write two.txt', repo });
    const s3 = await submitToSession(t.env.client, h.config, 'triage', { prompt: 'job three: write three.txt' });
    // The 2nd job's claude is waiting on the model: stop the worker, start another on the same queue and data dir.
    await waitFor('the second job to reach the model', () => held, 90_000);
    await h.stop();
    h = await startWorker(t.env, raw, reuse);
    const [r1, r2, r3] = [
      await resultOf(h, 'triage', id1),
      await resultOf(h, 'triage', s2.jobId),
      await resultOf(h, 'triage', s3.jobId),
    ];
    for (const r of [r1, r2, r3]) assert.equal(r.status, 'succeeded', `${r.jobId}: ${r.failureMessage ?? ''}`);
    assert.match(r1.sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(r2.sessionId, r1.sessionId, 'job 2 resumed the agent session of job 1');
    assert.equal(r3.sessionId, r1.sessionId, 'job 3 resumed it too');
    assert.ok(first['two']?.includes('job one: write one.txt'), "the model saw job 1 in job 2's request");
    assert.ok(
      first['three']?.includes('job one: write one.txt') && first['three'].includes('done two'),
      "and jobs 1–2 in job 3's",
    );
    assert.ok((r2.attempts ?? 0) >= 2, 'job 2 ran again on the new worker');
    // One stable workspace and branch; each job its own id, lease and files.
    const workspace = join(h.dataDir, 'sessions', 'triage', 'workspace');
    for (const r of [r1, r2, r3]) {
      assert.equal(r.workspace, workspace);
      assert.equal(r.branch, 'nightshift/session-triage');
      assert.ok(r.timeline.leaseGrantedAt, `${r.jobId} took a lease`);
    }
    assert.deepEqual([r1.filesChanged, r2.filesChanged, r3.filesChanged], [['one.txt'], ['two.txt'], ['three.txt']]);
    // Each job committed on the session's branch, in order; the session's workspace stays.
    const log = await execa('git', ['log', '--format=%H %s', 'nightshift/session-triage'], { cwd: repo });
    const commits = log.stdout.split('\n').slice(0, 3).reverse();
    assert.deepEqual(
      commits.map((l) => l.split(' ')[0]),
      [r1, r2, r3].map((r) => r.commit?.sha),
    );
    assert.ok(existsSync(workspace) && [r1, r2, r3].every((r) => !r.worktreeRemoved));
    const child = await t.env.client.workflow.getHandle(s2.jobId).describe();
    assert.equal(child.type, 'jobWorkflow');
    // `nightshift sessions` lists it with its agent session, jobs and tokens.
    const list = await nightshift(['sessions', '--json'], { address: t.env.address, harness: h });
    assert.equal(list.exitCode, 0, list.stderr);
    const [row] = JSON.parse(list.stdout) as SessionView[];
    assert.equal(row?.name, 'triage');
    assert.equal(row?.backend, 'claude');
    assert.equal(row?.agentSessionId, r1.sessionId);
    assert.equal(row?.jobsDone, 3);
    assert.equal(row?.tokens.input, r1.tokens.input + r2.tokens.input + r3.tokens.input);
    assert.ok(row.lastUsedAt >= r3.timeline.finishedAt - 1000);
    const text = await nightshift(['sessions'], { address: t.env.address, harness: h });
    assert.match(text.stdout, new RegExp(`triage\\s+claude\\s+${r1.sessionId ?? 'x'}\\s+3\\s+0`));
  } finally {
    await h.stop();
  }
});

test('continue-as-new with queued jobs loses none and keeps the agent session', async () => {
  const first: Record<string, string> = {};
  t.stub.setScript(sessionScript(first));
  const repo = await makeRepo();
  const h = await startWorker(t.env, {
    backends: { claude: claudeBackend(t.stub.url) },
    sessions: { continueAsNewEvents: 10 },
  });
  try {
    const tags = ['alpha', 'bravo', 'charlie', 'delta'];
    const specs = [];
    for (const tag of tags)
      specs.push(
        await submitToSession(t.env.client, h.config, 'roll', { prompt: `job ${tag}: write ${tag}.txt`, repo }),
      );
    const results: JobResult[] = [];
    for (const s of specs) results.push(await resultOf(h, 'roll', s.jobId));
    assert.deepEqual(
      results.map((r) => r.status),
      ['succeeded', 'succeeded', 'succeeded', 'succeeded'],
    );
    assert.ok(
      results.every((r) => r.sessionId === results[0]?.sessionId),
      'one agent session across runs',
    );
    assert.ok(first['delta']?.includes('job alpha'), 'the last job saw the first');
    const view = await openSession(t.env.client, h.config, 'roll');
    assert.ok(view && view.runs >= 2, `continued as new (runs: ${view?.runs})`);
    assert.equal(view.jobsDone, 4);
    const described = await t.env.client.workflow
      .getHandle(sessionWorkflowId('roll', h.config.temporal.taskQueue))
      .describe();
    assert.notEqual(
      described.runId,
      described.raw.workflowExecutionInfo?.firstRunId,
      'a later run of the same session',
    );
  } finally {
    await h.stop();
  }
});

test('an agent session that cannot be resumed: the job runs once more in a fresh session and says so', async () => {
  const first: Record<string, string> = {};
  t.stub.setScript(sessionScript(first));
  const repo = await makeRepo();
  const claude = claudeBackend(t.stub.url);
  const h = await startWorker(t.env, { backends: { claude }, jobs: { maxAttempts: 2 } });
  try {
    const s1 = await submitToSession(t.env.client, h.config, 'forgetful', { prompt: 'job one: write one.txt', repo });
    const r1 = await resultOf(h, 'forgetful', s1.jobId);
    assert.equal(r1.status, 'succeeded');
    // Claude's stored sessions are gone (expired, deleted): `--resume <id>` finds no conversation.
    rmSync(join(claude.env.HOME, '.claude', 'projects'), { recursive: true, force: true });
    const cli = await nightshift(['submit', '--session', 'forgetful', '--wait', '--json', 'job two: write two.txt'], {
      address: t.env.address,
      harness: h,
    });
    assert.equal(cli.exitCode, 0, cli.stderr);
    const r2 = JSON.parse(cli.stdout) as JobResult;
    assert.equal(r2.status, 'succeeded');
    assert.equal(r2.freshSession, true);
    assert.match(r2.sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.notEqual(r2.sessionId, r1.sessionId);
    assert.equal(first['two']?.includes('job one'), false, 'the fresh session starts without the old turns');
    assert.match(r2.jobId, /^job-[0-9a-f]{8}-fresh$/, 'the rerun is its own child job');
    const record = await waitForSessionJob(t.env.client, h.config, 'forgetful', r2.jobId.replace(/-fresh$/, ''));
    assert.equal(record.freshSession, true);
    assert.equal(record.resumedSessionId, r1.sessionId);
    assert.equal(
      (await openSession(t.env.client, h.config, 'forgetful'))?.agentSessionId,
      r2.sessionId,
      'the next job resumes the new one',
    );
  } finally {
    await h.stop();
  }
});

test('a session closes when idle or on `sessions close`; bad names and another backend are usage errors', async () => {
  t.stub.setScript(sessionScript({}));
  const repo = await makeRepo();
  const h = await startWorker(t.env, {
    backends: { claude: claudeBackend(t.stub.url) },
    sessions: { idleMinutes: 0.05 },
  });
  const cli = (args: string[]) => nightshift(args, { address: t.env.address, harness: h });
  try {
    const bad = await cli(['submit', '--session', 'Bad_Name', 'job one']);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /--session: "Bad_Name"/);
    const s1 = await submitToSession(t.env.client, h.config, 'brief', { prompt: 'job one: write one.txt', repo });
    assert.equal((await resultOf(h, 'brief', s1.jobId)).status, 'succeeded');
    const handle = t.env.client.workflow.getHandle(sessionWorkflowId('brief', h.config.temporal.taskQueue));
    // Idle for 3 s (0.05 min) after its last job: the session ends.
    await waitFor(
      'the idle session to close',
      async () => (await handle.describe()).status.name === 'COMPLETED',
      30_000,
    );
    const closed = (await handle.result()) as SessionView;
    assert.equal(closed.jobsDone, 1);
    const none = await cli(['sessions', '--json']);
    assert.deepEqual(JSON.parse(none.stdout), []);
    // `sessions close`: a long idle time, ended by the operator.
    const h2 = h.config;
    const open = { ...h2, sessions: { ...h2.sessions, idleMinutes: 60 } };
    const s2 = await submitToSession(t.env.client, open, 'kept', {
      prompt: 'job two: write two.txt',
      repo,
      backend: 'claude',
    });
    assert.equal((await resultOf(h, 'kept', s2.jobId)).status, 'succeeded');
    const other = await cli(['submit', '--session', 'kept', '--backend', 'command', 'job three']);
    assert.equal(other.exitCode, 2);
    assert.match(other.stderr, /--backend: session "kept" runs on claude/);
    const close = await cli(['sessions', 'close', 'kept']);
    assert.equal(close.exitCode, 0, close.stderr);
    const kept = t.env.client.workflow.getHandle(sessionWorkflowId('kept', h.config.temporal.taskQueue));
    assert.equal(((await kept.result()) as SessionView).jobsDone, 1);
    const again = await cli(['sessions', 'close', 'kept']);
    assert.equal(again.exitCode, 2);
    assert.match(again.stderr, /no open session "kept"/);
  } finally {
    await h.stop();
  }
});
