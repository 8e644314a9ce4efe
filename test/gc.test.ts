// `nightshift gc` on a data dir built by hand with real git: stale worktrees and job dirs go, leftover work is
// committed first, recent ones stay, branches only with --branches and unlanded ones only when asked; no Temporal.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { nightshift } from './support/cli.js';
import { makeRepo } from './support/repo.js';

const ADDRESS = '127.0.0.1:1'; // nothing listens: gc warns once and goes by age alone
const TEN_DAYS_AGO = new Date(Date.now() - 10 * 86400e3);
let repo = '';
let data = '';
let mirror = '';
const wt = (id: string): string => join(data, 'worktrees', id);
const jobDir = (id: string): string => join(data, 'jobs', id);

const git = async (cwd: string, ...args: string[]): Promise<string> =>
  (await execa('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd })).stdout;
const branches = async (cwd: string): Promise<string[]> =>
  (await git(cwd, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/nightshift/')).split('\n').filter(Boolean);
const gc = (...args: string[]) =>
  nightshift(['gc', ...args], { address: ADDRESS, cwd: data, env: { NIGHTSHIFT_DATA_DIR: data } });
const old = (path: string): void => utimesSync(path, TEN_DAYS_AGO, TEN_DAYS_AGO);

before(async () => {
  repo = realpathSync(await makeRepo());
  data = realpathSync(mkdtempSync(join(tmpdir(), 'nightshift-gc-')));
  for (const id of ['job-a', 'job-b', 'job-c'])
    await git(repo, 'worktree', 'add', '-q', '-B', `nightshift/${id}`, wt(id));
  writeFileSync(join(wt('job-a'), 'leftover.txt'), 'work in progress\n'); // uncommitted
  // A landed branch (merged into main) and an unlanded one, neither checked out anywhere.
  await git(repo, 'checkout', '-q', '-b', 'nightshift/job-landed');
  writeFileSync(join(repo, 'landed.txt'), 'landed\n');
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-q', '-m', 'landed work');
  await git(repo, 'checkout', '-q', 'main');
  await git(repo, 'merge', '-q', '--no-ff', '-m', 'merge', 'nightshift/job-landed');
  await git(repo, 'checkout', '-q', '-b', 'nightshift/job-unlanded', 'HEAD~1');
  writeFileSync(join(repo, 'unlanded.txt'), 'not merged\n');
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-q', '-m', 'unlanded work');
  await git(repo, 'checkout', '-q', 'main');
  // A URL repo's mirror as src/workspace/mirror.ts builds it (the origin's branches in refs/remotes/origin), with a
  // landed job branch.
  mkdirSync(join(data, 'mirrors'));
  mirror = join(data, 'mirrors', 'example-0123456789ab.git');
  await git(data, 'init', '-q', '--bare', mirror);
  await git(mirror, 'remote', 'add', 'origin', repo);
  await git(mirror, 'fetch', '-q', 'origin', '+refs/heads/*:refs/remotes/origin/*');
  await git(mirror, 'remote', 'set-head', 'origin', 'main');
  await git(mirror, 'branch', '-q', 'nightshift/job-m', 'refs/remotes/origin/main');
  // A dir that is no worktree any more, and job dirs old and new.
  mkdirSync(wt('job-broken'));
  writeFileSync(join(wt('job-broken'), 'stray.txt'), 'x');
  for (const id of ['job-a', 'job-old', 'job-new']) {
    mkdirSync(jobDir(id), { recursive: true });
    writeFileSync(join(jobDir(id), 'agent-attempt-1.jsonl'), '{}\n'.repeat(100));
  }
  for (const path of [wt('job-a'), wt('job-b'), wt('job-broken'), jobDir('job-a'), jobDir('job-old')]) old(path);
});

after(() => {
  for (const dir of [repo, data]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('gc --dry-run lists the actions and changes nothing; Temporal unreachable: one warning', async () => {
  const before = await branches(repo);
  const r = await gc('--dry-run');
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /warning: cannot reach the Temporal server at 127\.0\.0\.1:1\b.*age alone/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  for (const line of [
    `commit leftover work in ${wt('job-a')}`,
    `remove worktree ${wt('job-a')} (10d)`,
    `remove worktree ${wt('job-b')} (10d)`,
    `remove worktree ${wt('job-broken')} (10d`,
    `delete job dir ${jobDir('job-a')}`,
    `delete job dir ${jobDir('job-old')}`,
  ]) {
    assert.ok(r.stdout.includes(line), `lists "${line}":\n${r.stdout}`);
  }
  assert.ok(!r.stdout.includes(wt('job-c')) && !r.stdout.includes(jobDir('job-new')), r.stdout);
  assert.doesNotMatch(r.stdout, /branch/, 'no branch is touched without --branches');
  assert.match(r.stdout, /dry run, nothing changed: .* would be freed/);
  for (const path of [wt('job-a'), wt('job-b'), wt('job-broken'), jobDir('job-a'), jobDir('job-old')]) {
    assert.ok(existsSync(path), `${path} is still there`);
  }
  assert.deepEqual(await branches(repo), before);
  assert.match(await git(wt('job-a'), 'status', '--porcelain'), /leftover\.txt/);
});

test('gc removes stale worktrees and job dirs, commits leftover work first, keeps recent ones and all branches', async () => {
  const before = await branches(repo);
  const r = await gc();
  assert.equal(r.exitCode, 0, r.stderr);
  for (const path of [wt('job-a'), wt('job-b'), wt('job-broken'), jobDir('job-a'), jobDir('job-old')]) {
    assert.ok(!existsSync(path), `${path} is gone`);
  }
  assert.ok(existsSync(wt('job-c')) && existsSync(jobDir('job-new')), 'recent entries stay');
  assert.equal(await git(repo, 'show', 'nightshift/job-a:leftover.txt'), 'work in progress');
  const message = await git(repo, 'log', '-1', '--format=%B', 'nightshift/job-a');
  assert.match(message, new RegExp(`^gc: work left in ${wt('job-a')}\\n\\nnightshift job job-a`));
  assert.equal(await git(repo, 'log', '-1', '--format=%an', 'nightshift/job-a'), 'nightshift');
  const list = await git(repo, 'worktree', 'list');
  assert.ok(!list.includes(wt('job-a')) && !list.includes(wt('job-b')), list);
  assert.ok(list.includes(wt('job-c')), list);
  assert.deepEqual(await branches(repo), before, 'every branch remains');
  assert.match(r.stdout, /3 worktrees removed, 1 leftover commit, 2 job dirs deleted/);
  assert.match(r.stdout, /\d+(\.\d)? [KM]?B freed/);
});

test('gc --branches deletes landed branches (repo and mirror), keeps unlanded and the live worktree’s', async () => {
  const r = await gc('--branches', '--json');
  assert.equal(r.exitCode, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { actions: { kind: string; branch?: string; error?: string }[] };
  const of = (kind: string): string[] =>
    out.actions
      .filter((a) => a.kind === kind)
      .map((a) => a.branch ?? '')
      .sort();
  assert.deepEqual(of('delete-branch'), ['nightshift/job-b', 'nightshift/job-landed', 'nightshift/job-m']);
  assert.deepEqual(of('keep-branch'), ['nightshift/job-a', 'nightshift/job-unlanded']);
  assert.ok(out.actions.every((a) => !a.error));
  assert.deepEqual(await branches(repo), ['nightshift/job-a', 'nightshift/job-c', 'nightshift/job-unlanded']);
  assert.deepEqual(await branches(mirror), []);
});

test('gc --branches --unlanded deletes unlanded branches too, never the one checked out in a live worktree', async () => {
  const r = await gc('--branches', '--unlanded');
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`delete branch ${repo} nightshift/job-unlanded`));
  assert.deepEqual(await branches(repo), ['nightshift/job-c']);
});

test('gc --older-than bogus is a usage error naming the flag and value (exit 2)', async () => {
  const r = await gc('--older-than', 'bogus');
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /--older-than: .*"bogus"/);
  const lone = await gc('--unlanded');
  assert.equal(lone.exitCode, 2);
  assert.match(lone.stderr, /--unlanded: only together with --branches/);
});
