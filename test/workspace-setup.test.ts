// A fresh worktree's `repos[].setup` runs before the agent (real Temporal, real claude); a failing one starts none.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import { turns } from '../src/dev/scripted-model/anthropic.js';
import type { JobResult } from '../src/protocol/result.js';
import { findRepoConfig, repoMatches } from '../src/workspace/repo-match.js';
import { claudeBackend } from './support/claude.js';
import { nightshift } from './support/cli.js';
import { jobFailure } from './support/outcomes.js';
import { makeRepo } from './support/repo.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker } from './support/temporal.js';

const t = useTemporalAndModel();

const gitignored = () => makeRepo({ 'README.md': '# demo\n', '.gitignore': 'node_modules/\n' });

test('setup runs in the fresh worktree before the agent, with its cache dir; the agent sees what it made', async () => {
  t.stub.setScript(
    turns([
      {
        kind: 'message',
        blocks: [
          {
            type: 'tool_use',
            name: 'Bash',
            input: { command: 'cat node_modules/marker.txt > seen.txt', description: 'read the marker' },
          },
        ],
      },
      { kind: 'message', blocks: [{ type: 'text', text: 'Copied the marker.' }] },
    ]),
  );
  const repo = await gitignored();
  const script = 'mkdir -p node_modules && echo ready > node_modules/marker.txt && echo x > "$MY_CACHE/seen"';
  const repos = [{ match: repo, setup: ['sh', '-c', script], cacheDirs: { MY_CACHE: 'cache/demo' } }];
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) }, repos });
  try {
    const spec = resolveJobSpec({ prompt: 'copy the marker', repo, kind: 'coding-agent' }, h.config);
    const result = await (await startJob(t.env.client, h.config, spec)).result();
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(result.setup?.command, ['sh', '-c', script]);
    assert.equal(result.setup?.exitCode, 0);
    assert.ok((result.setup?.durationMs ?? -1) >= 0);
    const sha = result.commit?.sha ?? '';
    assert.equal((await execa('git', ['-C', repo, 'show', `${sha}:seen.txt`])).stdout, 'ready');
    assert.equal(
      readFileSync(join(h.dataDir, 'cache/demo/seen'), 'utf8'),
      'x\n',
      'the cache dir is under the data dir',
    );
    const recorded = JSON.parse(readFileSync(join(h.dataDir, 'jobs', spec.jobId, 'setup.json'), 'utf8')) as unknown;
    assert.deepEqual(recorded, result.setup, 'the outcome is recorded for a retried prepare');
    const status = await nightshift(['status', spec.jobId], { address: t.env.address, harness: h });
    assert.match(status.stdout, /setup: sh -c mkdir .* — exit 0 in \d+\.\ds/);
  } finally {
    await h.stop();
  }
});

test('a failing setup fails the job (WorkspaceFailed) with its output, and no agent starts', async () => {
  t.stub.setScript(turns([{ kind: 'message', blocks: [{ type: 'text', text: 'should not run' }] }]));
  const requestsBefore = t.stub.requests.length;
  const repo = await gitignored();
  const repos = [{ match: `${repo}*`, setup: ['sh', '-c', 'echo boom >&2; exit 3'] }];
  const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) }, repos });
  try {
    const spec = resolveJobSpec({ prompt: 'never runs', repo, kind: 'coding-agent' }, h.config);
    await startJob(t.env.client, h.config, spec);
    const failure = await jobFailure(t.env.client, spec.jobId);
    assert.equal(failure.type, 'WorkspaceFailed');
    const result = failure.details?.[0] as JobResult;
    assert.equal(result.failureClass, 'WorkspaceFailed');
    assert.match(result.failureMessage ?? '', /setup `sh -c echo boom >&2; exit 3` failed with exit code 3/);
    assert.match(result.failureMessage ?? '', /boom/);
    assert.equal(t.stub.requests.length, requestsBefore, 'the model was never called');
    assert.equal(existsSync(join(h.dataDir, 'jobs', spec.jobId, 'agent-attempt-1.jsonl')), false);
  } finally {
    await h.stop();
  }
});

test('repos[].match: a repo at or under a path, a URL by glob, the first that matches', () => {
  assert.ok(repoMatches('/srv/code', '/srv/code'));
  assert.ok(repoMatches('/srv/code/', '/srv/code/app'));
  assert.ok(repoMatches('/srv/*/app', '/srv/team/app/sub'));
  assert.ok(!repoMatches('/srv/code', '/srv/codebase'), 'a sibling with the same prefix is not under it');
  assert.ok(!repoMatches('/srv/code', 'https://git.example.com/srv/code'), 'a path never matches a URL');
  assert.ok(repoMatches('https://git.example.com/team/*', 'https://git.example.com/team/app.git'));
  assert.ok(repoMatches('https://git.example.com/team/*', 'https://user:tok@git.example.com/team/app.git'));
  assert.ok(!repoMatches('https://git.example.com/team/*', 'https://git.example.com/other/app.git'));
  assert.ok(!repoMatches('https://git.example.com/team', 'https://git.example.com/team/app.git'));
  const repos = [
    { match: '/elsewhere', id: 0 },
    { match: '/srv', id: 1 },
    { match: '/srv/code', id: 2 },
  ];
  assert.equal(findRepoConfig(repos, '/srv/code/app')?.id, 1);
  assert.equal(findRepoConfig(repos, '/opt/app'), undefined);
});
