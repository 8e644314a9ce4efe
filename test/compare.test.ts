// `nightshift compare`: one prompt to claude, codex and opencode (real CLIs, scripted models) in parallel worktrees;
// a table per backend, each backend's changes committed on its branch, and a worker crash that reruns no finished job.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import { compareOutcome, resolveCompare, startCompare } from '../src/client/compares.js';
import {
  primaryDirectory,
  startAnthropicStub,
  turns,
  type MessagesBody,
  type ScriptedServer,
} from '../src/dev/scripted-model/anthropic.js';
import {
  chatTurns,
  startOpenAiChatStub,
  type ChatBody,
  type ChatServer,
} from '../src/dev/scripted-model/openai-chat.js';
import {
  responsesTurns,
  startOpenAiResponsesStub,
  type ResponsesBody,
  type ResponsesServer,
} from '../src/dev/scripted-model/openai-responses.js';
import { compareViewQuery } from '../src/protocol/signals.js';
import type { CompareRow, CompareView } from '../src/protocol/compare.js';
import { claudeBackend } from './support/claude.js';
import { codexBackend, opencodeBackend, opencodeWorkingDirectory } from './support/openai-clis.js';
import { nightshift } from './support/cli.js';
import { waitFor } from './support/procs.js';
import { makeRepo } from './support/repo.js';
import { startTemporal, startWorker } from './support/temporal.js';

const t = {} as { env: TestWorkflowEnvironment; claude: ScriptedServer; codex: ResponsesServer; opencode: ChatServer };
before(async () => {
  t.env = await startTemporal();
  t.claude = await startAnthropicStub(turns([]));
  t.codex = await startOpenAiResponsesStub(responsesTurns([]));
  t.opencode = await startOpenAiChatStub(chatTurns([]));
});
after(async () => {
  await Promise.all([t.claude?.close(), t.codex?.close(), t.opencode?.close()]);
  await t.env?.teardown();
});

const CHECK = ['sh', '-c', 'grep -qx ok result.txt'];

function backends() {
  return {
    backends: {
      claude: claudeBackend(t.claude.url),
      codex: codexBackend(t.codex.url, 'sk-test-codex'),
      opencode: opencodeBackend(t.opencode.url, 'sk-test-opencode'),
    },
  };
}

const isFirstClaudeTurn = (b: MessagesBody) =>
  Boolean(b.tools?.length) && !(b.messages ?? []).some((m) => m.role === 'assistant');
const isFirstOpencodeTurn = (b: ChatBody) =>
  Boolean(b.tools?.length) && !(b.messages ?? []).some((m) => m.role === 'assistant');
const isFirstCodexTurn = (b: ResponsesBody) =>
  !(b.input ?? []).some((i) => i.type === 'function_call_output' || i.type === 'custom_tool_call_output');

/** claude and codex write "ok" into result.txt, opencode writes "bad"; `slowCodex` delays codex's first final answer. */
function script(hangCodex = false): void {
  t.claude.setScript((body, i) =>
    turns([
      {
        kind: 'message',
        blocks: [
          {
            type: 'tool_use',
            name: 'Write',
            input: { file_path: `${primaryDirectory(body) ?? ''}/result.txt`, content: 'ok\n' },
          },
        ],
        inputTokens: 1000,
        outputTokens: 30,
      },
      { kind: 'message', blocks: [{ type: 'text', text: 'wrote result.txt' }], inputTokens: 1100, outputTokens: 12 },
    ])(body, i),
  );
  let hang = hangCodex;
  t.codex.setScript((body, i) => {
    const reply = responsesTurns([
      {
        kind: 'message',
        toolCalls: [{ name: 'exec_command', arguments: { cmd: "printf 'ok\\n' > result.txt" } }],
        inputTokens: 1200,
        cachedTokens: 200,
        outputTokens: 17,
      },
      { kind: 'message', text: 'wrote result.txt', inputTokens: 1300, cachedTokens: 1000, outputTokens: 9 },
    ])(body, i);
    if (reply.kind !== 'message' || reply.toolCalls || !hang) return reply;
    hang = false; // only the first final answer never comes: a rerun after the crash answers at once
    return { kind: 'hang' };
  });
  t.opencode.setScript((body, i) =>
    chatTurns([
      {
        kind: 'message',
        toolCalls: [
          {
            name: 'write',
            arguments: { filePath: `${opencodeWorkingDirectory(body) ?? ''}/result.txt`, content: 'bad\n' },
          },
        ],
        promptTokens: 900,
        completionTokens: 25,
      },
      { kind: 'message', text: 'wrote result.txt', promptTokens: 950, completionTokens: 8 },
    ])(body, i),
  );
}

const usage = () => ({
  claude: { ...t.claude.usageSent },
  codex: { ...t.codex.usageSent },
  opencode: { ...t.opencode.usageSent },
});
const rowOf = (view: CompareView, backend: string): CompareRow => {
  const row = view.backends.find((e) => e.backend === backend)?.row;
  assert.ok(row, `a row for ${backend}`);
  return row;
};
const git = async (repo: string, ...args: string[]) => (await execa('git', args, { cwd: repo })).stdout;

test('compare over claude, codex and opencode: a row each, opencode fails its check, the two others are committed on their branches', async () => {
  script();
  const h = await startWorker(t.env, backends());
  try {
    const repo = await makeRepo();
    const from = usage();
    const args = [
      'compare',
      '--backends',
      'claude,codex,opencode',
      '--prompt',
      'write ok into result.txt',
      '--repo',
      repo,
      '--check',
      JSON.stringify(CHECK),
      '--wait',
      '--json',
    ];
    const r = await nightshift(args, { address: t.env.address, harness: h });
    assert.equal(r.exitCode, 0, r.stderr);
    const view = JSON.parse(r.stdout) as CompareView;
    assert.match(view.compareId, /^cmp-[0-9a-f]{8}$/);
    assert.equal(view.status, 'done');
    assert.deepEqual(
      view.backends.map((e) => [e.backend, e.state, e.jobId]),
      ['claude', 'codex', 'opencode'].map((b) => [b, 'done', `${view.compareId}-${b}`]),
    );
    const oc = rowOf(view, 'opencode');
    assert.equal(oc.status, 'failed');
    assert.equal(oc.failureClass, 'CheckFailed');
    assert.equal(oc.check, 'failed');
    assert.equal(oc.followUp, true);
    assert.deepEqual(oc.tokens, {
      input: t.opencode.usageSent.prompt - from.opencode.prompt,
      output: t.opencode.usageSent.completion - from.opencode.completion,
    });
    const sentCodex = {
      input: t.codex.usageSent.input - from.codex.input - (t.codex.usageSent.cached - from.codex.cached),
      output: t.codex.usageSent.output - from.codex.output,
    };
    const sentClaude = {
      input: t.claude.usageSent.input - from.claude.input,
      output: t.claude.usageSent.output - from.claude.output,
    };
    for (const [backend, sent] of [
      ['claude', sentClaude],
      ['codex', sentCodex],
    ] as const) {
      const row = rowOf(view, backend);
      assert.equal(row.status, 'succeeded', `${backend}: ${row.failureMessage ?? ''}`);
      assert.equal(row.check, 'passed');
      assert.equal(row.review, 'none');
      assert.equal(row.followUp, false);
      assert.deepEqual(row.filesTouched, ['result.txt']);
      assert.equal(row.filesCount, 1);
      assert.deepEqual(row.tokens, sent, `${backend}: tokens are what its model reported`);
      assert.ok((row.turns ?? 0) >= 1 && row.wallMs > 0);
      assert.equal(row.branch, `nightshift/${row.jobId}`);
      assert.equal(await git(repo, 'show', `${row.branch}:result.txt`), 'ok');
      assert.equal(await git(repo, 'rev-parse', row.branch), row.commit);
      // The job committed its own work when it ended: the task's first line, then the job's id.
      assert.equal(
        (await git(repo, 'log', '-1', '--format=%an <%ae>|%B', row.branch)).trimEnd(),
        `nightshift <nightshift@localhost>|write ok into result.txt\n\nnightshift job ${row.jobId}`,
      );
      assert.equal(await git(repo, 'show', '--name-only', '--format=', row.branch), 'result.txt');
      assert.ok(!existsSync(join(h.dataDir, 'worktrees', row.jobId)), `${backend}: its worktree is removed`);
    }
    assert.ok((rowOf(view, 'claude').costUsd ?? 0) > 0, 'claude reports a cost');
    assert.equal(oc.branch, `nightshift/${oc.jobId}-failed`, "the failing backend's work is on its -failed branch");
    assert.equal(
      await git(repo, 'show', `${oc.branch}:result.txt`),
      'bad',
      "the failing backend's change is committed",
    );
    assert.equal(await git(repo, 'rev-parse', oc.branch), oc.commit);
    assert.ok(existsSync(join(h.dataDir, 'worktrees', oc.jobId)), "the failed job's worktree is kept");
    assert.equal(await git(repo, 'status', '--porcelain'), '', 'the original checkout is untouched');

    const table = await nightshift(['compare', 'status', view.compareId], { address: t.env.address, harness: h });
    assert.equal(table.exitCode, 0, table.stderr);
    const lines = table.stdout.split('\n');
    assert.match(
      lines[1] ?? '',
      /backend\s+status\s+wall\s+turns\s+files\s+check\s+review\s+follow-up\s+tokens in\/out\s+cost\s+branch/,
    );
    const line = (b: string) => lines.find((l) => l.trimStart().startsWith(`${b} `)) ?? '';
    assert.match(line('opencode'), /failed \(CheckFailed\).*\bfailed\s+none\s+yes\b/);
    assert.match(line('claude'), /succeeded.*\bpassed\s+none\s+no\b.*\$\d/);
    assert.match(
      line('codex'),
      new RegExp(`succeeded.*\\bpassed\\s+none\\s+no\\s+${sentCodex.input}/${sentCodex.output}\\s+-\\s+nightshift/`),
    );
    process.stdout.write(table.stdout);
  } finally {
    await h.stop();
  }
});

test('bad input exits 2 naming the value, before anything starts', async () => {
  const repo = await makeRepo();
  const env = {
    NIGHTSHIFT_TASK_QUEUE: `cmp-bad-${process.pid}`,
    NIGHTSHIFT_DATA_DIR: mkdtempSync(join(tmpdir(), 'nightshift-data-')),
  };
  const cases: [string[], RegExp][] = [
    [['--backends', 'claude,gpt5'], /unknown backend "gpt5"/],
    [['--backends', 'claude,codex,claude'], /"claude" is named twice/],
    [['--backends', 'claude'], /at least two backends/],
    [['--backends', 'claude,codex', '--repo', tmpdir()], /is not a git repository/],
  ];
  for (const [flags, pattern] of cases) {
    const r = await nightshift(['compare', '--prompt', 'p', '--repo', repo, ...flags], { address: t.env.address, env });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, pattern);
  }
  const started = [];
  for await (const wf of t.env.client.workflow.list({ query: `TaskQueue = '${env.NIGHTSHIFT_TASK_QUEUE}'` }))
    started.push(wf.workflowId);
  assert.deepEqual(started, []);
});

test('a worker that dies mid-compare: a new one finishes it, every row is there and no finished job reran', async () => {
  // Codex's first final answer never comes, so it is still in flight at the crash however slow the machine is (a
  // 30 s delay was not: on a loaded CI run codex finished first and never ran again).
  script(true);
  const h = await startWorker(t.env, backends());
  const firsts = () => ({
    claude: t.claude.requests.filter((r) => isFirstClaudeTurn(r.body)).length,
    codex: t.codex.requests.filter((r) => isFirstCodexTurn(r.body)).length,
    opencode: t.opencode.requests.filter((r) => isFirstOpencodeTurn(r.body)).length,
  });
  const before = firsts();
  const spec = await resolveCompare(
    { backends: 'claude,codex,opencode', prompt: 'write ok into result.txt', repo: await makeRepo(), check: CHECK },
    h.config,
  );
  const handle = await startCompare(t.env.client, h.config, spec);
  const state = async (b: string) =>
    (await handle.query(compareViewQuery)).backends.find((e) => e.backend === b)?.state;
  // Codex in flight: its model request made (a job that is `running` may not have spawned codex yet).
  await waitFor(
    'claude and opencode done, codex still running, its request made',
    async () =>
      (await state('claude')) === 'done' &&
      (await state('opencode')) === 'done' &&
      (await state('codex')) === 'running' &&
      firsts().codex > before.codex,
    120_000,
  );
  await h.stop();
  const h2 = await startWorker(t.env, backends(), { taskQueue: h.config.temporal.taskQueue, dataDir: h.dataDir });
  try {
    const { view, error } = await compareOutcome(t.env.client, spec.compareId);
    assert.ok(view, error?.message);
    assert.deepEqual(
      view.backends.map((e) => [e.backend, e.state, e.row?.check]),
      [
        ['claude', 'done', 'passed'],
        ['codex', 'done', 'passed'],
        ['opencode', 'done', 'failed'],
      ],
    );
    const after = firsts();
    assert.equal(after.claude - before.claude, 1, 'claude asked once');
    assert.equal(after.opencode - before.opencode, 1, 'opencode asked once');
    assert.equal(after.codex - before.codex, 2, 'codex, in flight at the crash, ran once more on the new worker');
    assert.ok(rowOf(view, 'codex').commit, "codex's change is committed");
  } finally {
    await h2.stop();
  }
});
