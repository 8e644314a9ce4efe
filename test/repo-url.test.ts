// URL repos: each host's mirror of the origin gives every job a worktree; publishBranch pushes the job's branch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { execa } from 'execa';
import { resolveJobSpec } from '../src/client/job-input.js';
import { parseConfig } from '../src/config/load.js';
import { FailureClass, NON_RETRYABLE } from '../src/protocol/failures.js';
import type { JobSpec } from '../src/protocol/job.js';
import { isRepoUrl, maskRepoUrl } from '../src/protocol/repo.js';
import { changedFiles } from '../src/workspace/changes.js';
import { mirrorDir } from '../src/workspace/mirror.js';
import { prepareWorkspace } from '../src/workspace/prepare.js';
import { publishBranch } from '../src/workspace/publish.js';
import { makeOrigin, pushAsSomeoneElse, serveGitHttp } from './support/git-origin.js';
import { makeRepo } from './support/repo.js';

const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-url-'));
const config = parseConfig({ dataDir, worker: { hostId: 'host-a' } });
let n = 0;
/** A job on `repo`; a URL with credentials (which the client refuses) is set after validation, as a worker may still meet one. */
function specFor(repo: string): JobSpec {
  const spec = resolveJobSpec({ prompt: 'p', jobId: `job-url-${++n}`, repo: maskRepoUrl(repo) }, config);
  return { ...spec, repoPath: repo };
}
const prepare = (repo: string) => prepareWorkspace(specFor(repo), config);
const gitIn = async (cwd: string, ...args: string[]) => (await execa('git', args, { cwd })).stdout.trim();

/** The ApplicationFailure `p` rejects with. */
async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApplicationFailure, String(err));
  return err;
}

test('a file:// origin: a worktree of the mirror; publishBranch pushes the branch once, never over newer commits', async () => {
  const { bare, url } = await makeOrigin();
  const mainBefore = await gitIn(bare, 'rev-parse', 'main');
  const spec = specFor(url);
  assert.equal(spec.repoPath, url, 'the spec keeps the URL as given');
  const ws = await prepareWorkspace(spec, config);
  assert.deepEqual([ws.mode, ws.branch, ws.origin], ['worktree', `nightshift/${spec.jobId}`, url]);
  assert.equal(ws.path, join(dataDir, 'worktrees', spec.jobId));
  assert.equal(readFileSync(join(ws.path, 'README.md'), 'utf8'), '# demo\n');
  assert.deepEqual(await prepareWorkspace(spec, config), ws, 'a retried prepare finds the same worktree');

  writeFileSync(join(ws.path, 'notes.md'), 'from the job\n');
  const files = await changedFiles(ws);
  assert.deepEqual(files, ['notes.md']);
  const pushed = await publishBranch({ workspace: ws, files, message: 'job work' });
  assert.deepEqual(pushed && { origin: pushed.origin, branch: pushed.branch }, { origin: url, branch: ws.branch });
  assert.equal(await gitIn(bare, 'rev-parse', `refs/heads/${ws.branch}`), pushed?.commit);
  assert.equal(await gitIn(bare, 'show', `${pushed?.commit}:notes.md`), 'from the job');
  assert.equal(await gitIn(bare, 'rev-parse', `${pushed?.commit}~1`), mainBefore, 'the branch starts at main');

  assert.deepEqual(await publishBranch({ workspace: ws, files, message: 'job work' }), pushed, 'a retry is a no-op');
  assert.equal(await gitIn(bare, 'rev-list', '--count', `refs/heads/${ws.branch}`), '2');
  assert.equal(await gitIn(bare, 'rev-parse', 'main'), mainBefore, "the origin's main is untouched");

  const theirs = await pushAsSomeoneElse(bare, 'theirs.txt', 'theirs\n', ws.branch ?? '');
  writeFileSync(join(ws.path, 'notes.md'), 'more from the job\n');
  const rejected = await failureOf(publishBranch({ workspace: ws, files, message: 'more' }));
  assert.deepEqual([rejected.type, rejected.nonRetryable], [FailureClass.WorkspaceFailed, true], rejected.message);
  assert.match(rejected.message, /cannot push to file:\/\/.*\[rejected\]/s);
  assert.equal(await gitIn(bare, 'rev-parse', `refs/heads/${ws.branch}`), theirs, 'their commit is not overwritten');
});

test('the mirror is cloned once and fetched before each job: a commit pushed meanwhile is in the next job', async () => {
  const { bare, url } = await makeOrigin();
  const first = await prepare(url);
  const mirror = mirrorDir(dataDir, url);
  writeFileSync(join(mirror, 'marker'), 'the first clone\n');
  const commit = await pushAsSomeoneElse(bare, 'later.txt', 'later\n');

  const second = await prepare(url);
  assert.ok(existsSync(join(mirror, 'marker')), 'the same mirror, not a new clone');
  assert.equal(await gitIn(second.path, 'rev-parse', 'HEAD'), commit);
  assert.equal(readFileSync(join(second.path, 'later.txt'), 'utf8'), 'later\n');
  assert.ok(!existsSync(join(first.path, 'later.txt')), "an earlier job's worktree is left as it was");
  // fetch --prune must spare the jobs' own branches (unpushed, they exist only in the mirror).
  assert.ok(await gitIn(mirror, 'rev-parse', '--verify', `refs/heads/${first.branch}`));
});

// Another worker process sharing the host's data dir: prepares one job at the agreed instant.
const CHILD = `
const [prepareTs, loadTs, json] = process.argv.slice(1);
const { prepareWorkspace } = await import(prepareTs);
const { parseConfig } = await import(loadTs);
const { spec, dataDir, startAt } = JSON.parse(json);
await new Promise((ok) => setTimeout(ok, startAt - Date.now()));
const ws = await prepareWorkspace(spec, parseConfig({ dataDir, worker: { hostId: 'host-a' } }));
console.log(JSON.stringify(ws));`;
const moduleUrl = (path: string) => new URL(path, import.meta.url).href;

test('concurrent first jobs on one mirror, in this process and in two other worker processes, all succeed', async () => {
  const { url } = await makeOrigin();
  const startAt = Date.now() + 5000; // the children need a few seconds to start
  const child = (spec: JobSpec) =>
    execa(
      'node',
      ['--import', 'tsx', '--input-type=module', '-e', CHILD, moduleUrl('../src/workspace/prepare.ts')].concat([
        moduleUrl('../src/config/load.ts'),
        JSON.stringify({ spec, dataDir, startAt }),
      ]),
    );
  const here = async () => {
    await new Promise((ok) => setTimeout(ok, startAt - Date.now()));
    return Promise.all([prepare(url), prepare(url)]);
  };
  const [a, b, local] = await Promise.all([child(specFor(url)), child(specFor(url)), here()]);
  const all = [JSON.parse(a.stdout) as { path: string }, JSON.parse(b.stdout) as { path: string }, ...local];
  assert.equal(new Set(all.map((ws) => ws.path)).size, 4);
  for (const ws of all) assert.equal(readFileSync(join(ws.path, 'README.md'), 'utf8'), '# demo\n');
  const mirror = mirrorDir(dataDir, url);
  const left = readdirSync(dirname(mirror)).filter((f) => f.startsWith(basename(mirror, '.git')));
  assert.deepEqual(left, [basename(mirror)], 'one mirror; no lock or partial clone left behind');
  await gitIn(mirror, 'fsck', '--no-progress');
});

test('a lock left by a dead worker process of this host does not hold the mirror', async () => {
  const { url } = await makeOrigin();
  const mirror = mirrorDir(dataDir, url);
  mkdirSync(dirname(mirror), { recursive: true });
  const gone = spawnSync('true').pid; // a process of this host that has exited
  writeFileSync(`${mirror}.lock`, `${hostname()} ${gone} crashed`);
  const started = Date.now();
  await prepare(url);
  assert.ok(Date.now() - started < 20_000, 'broken at once, not after the lock went stale');
  assert.ok(!existsSync(`${mirror}.lock`));
});

test('a URL with a password reaches the origin, and no payload or error shows the password', async () => {
  const { bare } = await makeOrigin();
  const secret = 's3cr3t-t0ken';
  const server = await serveGitHttp(dirname(bare), 'alice', secret);
  const at = (password: string, port = server.port) => `http://alice:${password}@127.0.0.1:${port}`;
  const masked = `http://alice:***@127.0.0.1:${server.port}/origin.git`;
  try {
    // The client refuses it: a job spec is kept in Temporal's history.
    assert.throws(() => resolveJobSpec({ prompt: 'p', repo: `${at(secret)}/origin.git` }, config), /credentials/);
    const ws = await prepare(`${at(secret)}/origin.git`);
    assert.equal(ws.origin, masked);
    writeFileSync(join(ws.path, 'work.txt'), 'x\n');
    const pushed = await publishBranch({ workspace: ws, files: ['work.txt'], message: 'm' });
    assert.equal(pushed?.origin, masked);
    assert.equal(await gitIn(bare, 'rev-parse', `refs/heads/${ws.branch}`), pushed?.commit);
    assert.ok(!JSON.stringify([ws, pushed]).includes(secret));
    const mirror = mirrorDir(dataDir, `${at(secret)}/origin.git`);
    assert.equal(await gitIn(mirror, 'config', 'remote.origin.url'), `${at(secret)}/origin.git`, 'kept only here');

    const cases: [string, string, boolean][] = [
      [`${at(secret)}/missing.git`, 'no such repo', true],
      [`${at(`wrong-${secret}`)}/origin.git`, 'a wrong password', true],
      [`${at(secret, 1)}/origin.git`, 'nobody listening', false],
      [`ssh://alice:${secret}@nohost.invalid/origin.git`, 'a host name that does not resolve (yet)', false],
    ];
    for (const [url, why, nonRetryable] of cases) {
      const f = await failureOf(prepare(url));
      // A permanent failure ends the job (WorkspaceFailed); a network one is a class the retry policy retries.
      assert.equal(f.type, nonRetryable ? FailureClass.WorkspaceFailed : FailureClass.RepoUnreachable, why);
      assert.equal(f.nonRetryable, nonRetryable, `${why}: ${f.message}`);
      assert.equal(NON_RETRYABLE.includes(f.type ?? ''), nonRetryable, `${why}: the workflow's retry policy agrees`);
      assert.ok(f.message.includes(maskRepoUrl(url)), `${why} names the masked URL: ${f.message}`);
      assert.ok(!f.message.includes(secret), `${why}: ${f.message}`);
    }
  } finally {
    await server.close();
  }
});

test('a local repo: missing on this host is RepoNotOnHost naming path and host; present, it has nothing to publish', async () => {
  const gone = join(dataDir, 'no-such-repo');
  assert.throws(() => specFor(gone), /--repo: .*does not exist/, 'the client still checks a local path');
  const f = await failureOf(prepareWorkspace({ ...specFor(dataDir), repoPath: gone }, config));
  assert.deepEqual([f.type, f.nonRetryable], [FailureClass.RepoNotOnHost, true]);
  assert.equal(f.message, `repo path does not exist on host host-a: ${gone}`);

  const missing = await failureOf(prepare(`file://${gone}.git`));
  assert.deepEqual([missing.type, missing.nonRetryable], [FailureClass.WorkspaceFailed, true], missing.message);
  assert.match(missing.message, new RegExp(`file://${gone}\\.git`));

  const ws = await prepare(await makeRepo());
  writeFileSync(join(ws.path, 'local.txt'), 'x\n');
  assert.equal(await publishBranch({ workspace: ws, files: ['local.txt'], message: 'm' }), undefined);
});

test('isRepoUrl tells URLs from paths; maskRepoUrl hides passwords and http tokens', () => {
  for (const url of ['file:///srv/r.git', 'ssh://git@host/r.git', 'https://host/r.git', 'git@github.com:o/r.git']) {
    assert.ok(isRepoUrl(url), url);
  }
  for (const path of ['/srv/r', 'relative/dir', './a:b', 'dir@x']) assert.ok(!isRepoUrl(path), path);
  const masks: [string, string][] = [
    ['https://user:tok@h/r.git', 'https://user:***@h/r.git'],
    ['https://tok@h/r.git', 'https://***@h/r.git'],
    ['https://u:p@ss@h/r.git', 'https://u:***@h/r.git'],
    ['ssh://git@h/r.git', 'ssh://git@h/r.git'],
    ['git@github.com:o/r.git', 'git@github.com:o/r.git'],
    ['/srv/r', '/srv/r'],
  ];
  for (const [url, shown] of masks) assert.equal(maskRepoUrl(url), shown);
});
