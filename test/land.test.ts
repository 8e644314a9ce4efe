// The merge queue (`nightshift land`): real git repos, a real Temporal server, jobs and a conflict resolver run by
// the real claude CLI against a scripted model.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { resolveJobSpec } from '../src/client/job-input.js';
import { jobOutcome, startJob } from '../src/client/jobs.js';
import { primaryDirectory, type MessagesBody } from '../src/dev/scripted-model/anthropic.js';
import type { JobResult } from '../src/protocol/result.js';
import { claudeBackend } from './support/claude.js';
import { nightshift } from './support/cli.js';
import { makeOrigin, pushAsSomeoneElse } from './support/git-origin.js';
import { waitFor } from './support/procs.js';
import { makeRepo } from './support/repo.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker, type Harness } from './support/temporal.js';

const t = useTemporalAndModel();

/** Each prompt names `<file>=<content>`: the agent writes that file; a resolver prompt gets the resolution. */
function writeWhatThePromptSays(body: MessagesBody) {
  if (!body.tools?.length) return { kind: 'message' as const, blocks: [{ type: 'text' as const, text: 'ok' }] };
  const all = JSON.stringify(body.messages);
  const lastUser = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (JSON.stringify(lastUser?.content).includes('tool_result'))
    return { kind: 'message' as const, blocks: [{ type: 'text' as const, text: 'done' }] };
  const dir = primaryDirectory(body) ?? '';
  const resolving = all.includes('conflicts in: shared.txt');
  // The task, not claude's reminder of the repo's recent commits (whose subjects are earlier tasks).
  const task = all.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '');
  const [, file = 'x.txt', content = 'x'] = /write ([\w./]+)=(\w+)/.exec(task) ?? [];
  const input = resolving
    ? { file_path: `${dir}/shared.txt`, content: 'resolved: both\n' }
    : { file_path: `${dir}/${file}`, content: `${content}\n` };
  return { kind: 'message' as const, blocks: [{ type: 'tool_use' as const, name: 'Write', input }] };
}

const gitIn =
  (repo: string) =>
  async (...args: string[]) =>
    (await execa('git', args, { cwd: repo })).stdout;

async function runJob(h: Harness, repo: string, prompt: string, check?: string[]): Promise<JobResult> {
  const spec = resolveJobSpec({ prompt, repo, kind: 'coding-agent', ...(check ? { check } : {}) }, h.config);
  await startJob(t.env.client, h.config, spec);
  const { result, error } = await jobOutcome(t.env.client, spec.jobId); // a failed job's result rides its failure
  if (!result) throw error ?? new Error(`no result for ${spec.jobId}`);
  return result;
}

function cli(h: Harness, args: string[]) {
  return nightshift(args, { address: t.env.address, harness: h, env: { NIGHTSHIFT_CONFIG: configFile(h) } });
}

/** The CLI needs the harness's backends (a resolver is resolved at the edge): the same config as a file. */
function configFile(h: Harness): string {
  const file = join(h.dataDir, 'config.json');
  const { backends, ledger } = h.config;
  writeFileSync(file, JSON.stringify({ backends, ledger }));
  return file;
}

test('three jobs landed in one queue: two clean ones fast-forward main in order, the third conflicts, a resolver lands it', async () => {
  t.stub.setScript(writeWhatThePromptSays);
  const repo = await makeRepo({ 'README.md': '# demo\n', 'shared.txt': 'base\n' });
  const git = gitIn(repo);
  // The check needs what the repo's setup makes: in each job's worktree, and in the landing's scratch worktree.
  const repos = [{ match: repo, setup: ['sh', '-c', 'echo deps > .deps'] }];
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) }, repos });
  try {
    const check = ['sh', '-c', 'test -f .deps'];
    const one = await runJob(h, repo, 'write one.txt=one', check);
    const two = await runJob(h, repo, 'write shared.txt=two', check);
    const three = await runJob(h, repo, 'write shared.txt=three', check);
    for (const r of [one, two, three]) assert.equal(r.status, 'succeeded', r.failureMessage);
    assert.deepEqual(one.filesChanged, ['one.txt'], "what the setup made is not the job's work");
    const before = await git('rev-parse', 'main');
    const landed = await cli(h, ['land', one.jobId, two.jobId, three.jobId, '--wait', '--json']);
    assert.equal(landed.exitCode, 1, 'not every job landed');
    const entries = JSON.parse(landed.stdout) as { jobId: string; state: string; files?: string[]; commit?: string }[];
    assert.deepEqual(
      entries.map((e) => [e.jobId, e.state]),
      [
        [one.jobId, 'landed'],
        [two.jobId, 'landed'],
        [three.jobId, 'conflict'],
      ],
    );
    assert.deepEqual(entries[2]?.files, ['shared.txt']);
    // main moved by exactly the two clean jobs, in order, and its checkout followed.
    const log = (await git('log', '--format=%s', `${before}..main`)).split('\n');
    assert.deepEqual(log, ['write shared.txt=two', 'write one.txt=one']);
    assert.equal(await git('rev-parse', 'main'), entries[1]?.commit);
    assert.equal(readFileSync(join(repo, 'shared.txt'), 'utf8'), 'two\n');
    assert.equal(readFileSync(join(repo, 'one.txt'), 'utf8'), 'one\n');
    // The landed jobs' branches follow their rebased commits: they read as landed (what `gc --branches` asks).
    for (const r of [one, two]) await git('merge-base', '--is-ancestor', `nightshift/${r.jobId}`, 'main');
    const afterTwo = await git('rev-parse', 'main');

    const resolved = await cli(h, ['land', three.jobId, '--resolve', 'claude', '--wait', '--json']);
    assert.equal(resolved.exitCode, 0, resolved.stdout + resolved.stderr);
    const [entry] = JSON.parse(resolved.stdout) as { state: string; resolverJobId?: string; commit?: string }[];
    assert.equal(entry?.state, 'landed');
    assert.match(entry?.resolverJobId ?? '', new RegExp(`^${three.jobId}-resolve-`));
    assert.equal(await git('show', 'main:shared.txt'), 'resolved: both');
    await git('merge-base', '--is-ancestor', afterTwo, 'main'); // main only moved forward
    await git('merge-base', '--is-ancestor', three.commit?.sha ?? '', 'main'); // the job's own commit is in main
    const status = await cli(h, ['status', three.jobId]);
    assert.match(status.stdout, /landed on main/);
  } finally {
    await h.stop();
  }
});

test('a landing whose check fails leaves the target exactly where it was', async () => {
  t.stub.setScript(writeWhatThePromptSays);
  const repo = await makeRepo();
  const git = gitIn(repo);
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) } });
  try {
    // The check passes on the job's branch and fails once main holds forbidden.txt.
    const job = await runJob(h, repo, 'write feature.txt=yes', ['sh', '-c', '! test -f forbidden.txt']);
    assert.equal(job.status, 'succeeded');
    await execa(
      'sh',
      ['-c', 'echo no > forbidden.txt && git add . && git -c user.name=t -c user.email=t@x commit -qm forbidden'],
      {
        cwd: repo,
      },
    );
    const before = await git('rev-parse', 'main');
    const r = await cli(h, ['land', job.jobId, '--wait']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, new RegExp(`${job.jobId}  check-failed`));
    assert.equal(await git('rev-parse', 'main'), before, 'main did not move');
    assert.equal((await git('status', '--porcelain')).trim(), '', 'the checkout is untouched');
    assert.match((await cli(h, ['diff', job.jobId, '--stat'])).stdout, /feature\.txt/);
    const history = (await cli(h, ['history', job.jobId])).stdout;
    assert.match(history, /committed [0-9a-f]{12} on nightshift\/job-[0-9a-f]+ \(1 files, \+1 -0\); worktree removed/);
    assert.match(history, /landing {2}check-failed on main/);
  } finally {
    await h.stop();
  }
});

test("a failed job's partial work is committed on its -failed branch, its worktree kept; land refuses it", async () => {
  t.stub.setScript(writeWhatThePromptSays);
  const repo = await makeRepo();
  const git = gitIn(repo);
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) } });
  try {
    const job = await runJob(h, repo, 'write half.txt=partial', ['false']);
    assert.equal(job.status, 'failed');
    assert.equal(job.failureClass, 'CheckFailed');
    assert.equal(job.commit?.branch, `nightshift/${job.jobId}-failed`);
    assert.equal(await git('show', `nightshift/${job.jobId}-failed:half.txt`), 'partial');
    assert.equal(await git('rev-parse', `nightshift/${job.jobId}-failed`), job.commit?.sha);
    assert.equal(job.worktreeRemoved, undefined);
    assert.deepEqual(job.filesChanged, ['half.txt']);
    assert.equal(readFileSync(join(job.workspace ?? '', 'half.txt'), 'utf8'), 'partial\n', 'kept for a look');
    const r = await cli(h, ['land', job.jobId]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, new RegExp(`job ${job.jobId} failed; only a succeeded job lands`));
  } finally {
    await h.stop();
  }
});

test('a URL repo: `submit --land` lands on the origin; a later landing rebases onto what someone else pushed', async () => {
  t.stub.setScript(writeWhatThePromptSays);
  const { bare, url } = await makeOrigin();
  const origin = async (...args: string[]) => (await execa('git', ['--git-dir', bare, ...args])).stdout;
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) } });
  try {
    const first = resolveJobSpec(
      { prompt: 'write first.txt=1', repo: url, kind: 'coding-agent', land: true },
      h.config,
    );
    await startJob(t.env.client, h.config, first);
    const one = (await jobOutcome(t.env.client, first.jobId)).result;
    assert.equal(one?.status, 'succeeded');
    assert.equal(one?.pushed?.branch, `nightshift/${first.jobId}`, 'the job branch is on the origin');
    await waitFor(
      'the first job lands on the origin',
      async () => (await origin('ls-tree', 'main')).includes('first.txt'),
      60_000,
    );

    const two = await runJob(h, url, 'write second.txt=2');
    const theirs = await pushAsSomeoneElse(bare, 'theirs.txt', 'someone\n');
    const r = await cli(h, ['land', two.jobId, '--wait']);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.equal(await origin('show', 'main:second.txt'), '2');
    assert.equal(await origin('show', 'main:theirs.txt'), 'someone');
    await origin('merge-base', '--is-ancestor', theirs, 'main'); // rebased on their push, nothing of theirs lost
    assert.equal(await origin('rev-list', '--merges', '--count', 'main'), '0', 'a linear history');
  } finally {
    await h.stop();
  }
});
