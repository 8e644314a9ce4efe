import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import { primaryDirectory, turns } from '../src/dev/scripted-model/anthropic.js';
import { SA } from '../src/protocol/search-attributes.js';
import { claudeBackend, FAKE_KEY } from './support/claude.js';
import { nightshift } from './support/cli.js';
import { makeRepo } from './support/repo.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker } from './support/temporal.js';

const t = useTemporalAndModel();

test('a job runs the real claude CLI: Read/Edit/Write/Bash land in the job worktree', async () => {
  let dir = '';
  t.stub.setScript((body, i) => {
    dir ||= primaryDirectory(body) ?? '';
    return turns([
      { kind: 'message', blocks: [{ type: 'tool_use', name: 'Read', input: { file_path: `${dir}/README.md` } }] },
      {
        kind: 'message',
        blocks: [
          {
            type: 'tool_use',
            name: 'Edit',
            input: { file_path: `${dir}/README.md`, old_string: '# demo', new_string: '# demo, edited' },
          },
          {
            type: 'tool_use',
            name: 'Write',
            input: { file_path: `${dir}/src/hello.ts`, content: 'export const hi = 1;\n' },
          },
        ],
      },
      {
        kind: 'message',
        blocks: [
          {
            type: 'tool_use',
            name: 'Bash',
            input: { command: 'echo from-bash > bash.txt', description: 'write a file' },
          },
        ],
      },
      { kind: 'message', blocks: [{ type: 'text', text: 'Edited README, added src/hello.ts and bash.txt.' }] },
    ])(body, i);
  });
  const repo = await makeRepo();
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) } });
  try {
    const before = t.stub.usageSent.input;
    const spec = resolveJobSpec({ prompt: 'edit the readme', repo, kind: 'coding-agent' }, h.config);
    const result = await (await startJob(t.env.client, h.config, spec)).result();
    const wt = join(h.dataDir, 'worktrees', spec.jobId);
    const git = async (...args: string[]) => (await execa('git', args, { cwd: repo })).stdout;
    assert.equal(result.status, 'succeeded');
    assert.equal(dir, wt, 'claude ran in the job worktree');
    // The work is committed on the job's branch, exactly the files the agent changed; the worktree is gone.
    const sha = result.commit?.sha ?? '';
    assert.equal(await git('rev-parse', `nightshift/${spec.jobId}`), sha);
    assert.equal(await git('show', `${sha}:README.md`), '# demo, edited');
    assert.equal(await git('show', `${sha}:src/hello.ts`), 'export const hi = 1;');
    assert.equal(await git('show', `${sha}:bash.txt`), 'from-bash');
    const files = (await git('show', '--name-only', '--format=', sha)).split('\n').filter(Boolean).sort();
    assert.deepEqual(files, ['README.md', 'bash.txt', 'src/hello.ts']);
    assert.deepEqual(
      { files: result.commit?.files, insertions: result.commit?.insertions, deletions: result.commit?.deletions },
      { files: 3, insertions: 3, deletions: 1 },
    );
    assert.equal(result.commit?.base, await git('rev-parse', 'main'), 'one commit on the base');
    assert.match(
      await git('log', '-1', '--format=%an %B', sha),
      new RegExp(`^nightshift edit the readme\\s+nightshift job ${spec.jobId}`),
    );
    assert.equal(existsSync(wt), false, 'the worktree directory is removed');
    assert.equal(result.worktreeRemoved, true);
    assert.ok(!(await git('worktree', 'list')).includes(wt), 'git forgets the worktree too');
    assert.equal(readFileSync(join(repo, 'README.md'), 'utf8'), '# demo\n', 'the original checkout is untouched');
    assert.equal(existsSync(join(repo, 'bash.txt')), false);
    assert.deepEqual(result.filesChanged, ['README.md', 'bash.txt', 'src/hello.ts']);
    assert.equal(result.branch, `nightshift/${spec.jobId}`);
    // Session id, tokens and cost come from the CLI's own result event.
    const raw = readFileSync(join(h.dataDir, 'jobs', spec.jobId, 'agent-attempt-1.jsonl'), 'utf8');
    const resultEvent = raw
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'result');
    assert.match(result.sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(result.sessionId, resultEvent.session_id);
    assert.equal(result.tokens.input, t.stub.usageSent.input - before);
    assert.equal(result.tokens.output, resultEvent.usage.output_tokens);
    assert.ok((result.costUsd ?? 0) > 0);
    assert.equal(result.costUsd, resultEvent.total_cost_usd);
    assert.equal(result.finalText, 'Edited README, added src/hello.ts and bash.txt.');
    assert.equal(result.attempts, 1);
    // The API key never reaches the Temporal history.
    const history = JSON.stringify(await t.env.client.workflow.getHandle(spec.jobId).fetchHistory());
    assert.equal(history.includes(FAKE_KEY), false);
  } finally {
    await h.stop();
  }
});

test('`nightshift ask` takes the operator lane, waits, and prints the answer', async () => {
  t.stub.setScript(turns([{ kind: 'message', blocks: [{ type: 'text', text: 'Forty-two.' }] }]));
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) } });
  try {
    const r = await nightshift(['ask', 'What is the answer?'], { address: t.env.address, harness: h });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'Forty-two.');
    const jobs = [];
    for await (const wf of t.env.client.workflow.list({
      query: `WorkflowType = 'jobWorkflow' AND TaskQueue = '${h.config.temporal.taskQueue}'`,
    }))
      jobs.push(wf);
    assert.equal(jobs.length, 1);
    const [job] = jobs;
    assert.equal(job?.typedSearchAttributes.get(SA.lane), 'operator');
    assert.equal(job?.typedSearchAttributes.get(SA.status), 'succeeded');
    assert.equal(job?.typedSearchAttributes.get(SA.backend), 'claude');
    assert.ok(job && r.stderr.includes(job.workflowId), 'ask names its job id (on stderr; stdout is the answer)');
  } finally {
    await h.stop();
  }
});

test('a second job resumes the first claude session in the same workspace', async () => {
  const seen: string[] = [];
  t.stub.setScript((body) => {
    if (!body.tools?.length) return { kind: 'message', blocks: [{ type: 'text', text: 'ok' }] };
    seen.push(JSON.stringify(body.messages));
    const dir = primaryDirectory(body) ?? '';
    const second = JSON.stringify(body.messages).includes('now add a second file');
    // A turn answers the newest user message: a prompt gets the Write, a tool result gets the final text.
    const lastUser = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
    if (JSON.stringify(lastUser?.content).includes('tool_result'))
      return { kind: 'message', blocks: [{ type: 'text', text: second ? 'second done' : 'first done' }] };
    return {
      kind: 'message',
      blocks: [
        {
          type: 'tool_use',
          name: 'Write',
          input: { file_path: `${dir}/${second ? 'two' : 'one'}.txt`, content: 'x\n' },
        },
      ],
    };
  });
  const repo = await makeRepo();
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) } });
  try {
    const run = async (input: Record<string, unknown>) => {
      const spec = resolveJobSpec({ repo, kind: 'coding-agent', workspace: 'in-place', ...input }, h.config);
      return (await startJob(t.env.client, h.config, spec)).result();
    };
    const first = await run({ prompt: 'create one.txt' });
    const sentBefore = t.stub.usageSent.input;
    const second = await run({ prompt: 'now add a second file', resumeSessionId: first.sessionId });
    assert.equal(second.sessionId, first.sessionId, 'the same agent session');
    assert.ok(seen.at(-1)?.includes('create one.txt'), 'the model saw the first job in its request');
    assert.deepEqual(second.filesChanged, ['two.txt']);
    assert.equal(second.tokens.input, t.stub.usageSent.input - sentBefore, "tokens are this job's only");
  } finally {
    await h.stop();
  }
});
