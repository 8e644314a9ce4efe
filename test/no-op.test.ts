// "Did the job change anything", by content: shared git workspaces (sessions, chains), dirty in-place repos, plain dirs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { parseConfig } from '../src/config/load.js';
import type { WorkspaceInfo } from '../src/protocol/result.js';
import { changedFiles } from '../src/workspace/changes.js';
import { prepareWorkspace } from '../src/workspace/prepare.js';
import { makeRepo } from './support/repo.js';

const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-noop-'));
const config = parseConfig({ dataDir });
let n = 0;

/** Prepares the next job's workspace (a fresh job id each time), like the job workflow does. */
const prepare = (input: Record<string, unknown>): Promise<WorkspaceInfo> =>
  prepareWorkspace(resolveJobSpec({ prompt: 'p', jobId: `job-noop-${++n}`, ...input }, config), config);

test('a shared git workspace: a later job that rewrites, deletes or restores an already-changed file changed it', async () => {
  const repo = await makeRepo({ 'README.md': '# demo\n', 'keep.txt': 'k\n' });
  const shared = { repo, workspacePath: join(dataDir, 'sessions', 's', 'workspace'), branch: 'nightshift/session-s' };
  const ws1 = await prepare(shared);
  writeFileSync(join(ws1.path, 'notes.md'), 'one\n');
  writeFileSync(join(ws1.path, 'README.md'), '# one\n');
  writeFileSync(join(ws1.path, 'gone.txt'), 'soon gone\n');
  assert.deepEqual(await changedFiles(ws1), ['README.md', 'gone.txt', 'notes.md']);

  const ws2 = await prepare(shared);
  assert.deepEqual(ws2.baseline, ['README.md', 'gone.txt', 'notes.md']);
  assert.deepEqual(await changedFiles(ws2), [], 'nothing yet');
  writeFileSync(join(ws2.path, 'notes.md'), 'one\n'); // same bytes again: not a change
  assert.deepEqual(await changedFiles(ws2), []);
  writeFileSync(join(ws2.path, 'notes.md'), 'two\n'); // the bug: compared by name, this was no change
  rmSync(join(ws2.path, 'gone.txt'));
  writeFileSync(join(ws2.path, 'README.md'), '# demo\n'); // back to HEAD: git no longer lists it
  assert.deepEqual(await changedFiles(ws2), ['README.md', 'gone.txt', 'notes.md']);
  assert.ok(!JSON.stringify(ws2).includes('two'), 'the payload carries no contents');
});

test('an in-place job in a dirty git repo: rewriting an already-dirty file is a change', async () => {
  const repo = await makeRepo({ 'README.md': '# demo\n' });
  writeFileSync(join(repo, 'README.md'), '# dirty\n');
  const ws = await prepare({ repo, workspace: 'in-place' });
  assert.deepEqual(ws.baseline, ['README.md']);
  assert.deepEqual(await changedFiles(ws), []);
  writeFileSync(join(repo, 'README.md'), '# rewritten\n');
  assert.deepEqual(await changedFiles(ws), ['README.md']);
});

test('a non-git folder runs in place: created, modified and deleted files count; touched and .nightshift do not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-plain-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'a.txt'), 'a\n');
  writeFileSync(join(dir, 'sub', 'b.txt'), 'b\n');
  writeFileSync(join(dir, 'c.txt'), 'c\n');
  const ws = await prepare({ repo: dir });
  assert.equal(ws.mode, 'in-place');
  assert.deepEqual(ws.baseline, [], 'a plain dir snapshot stays out of the payload');
  assert.ok(ws.baselineFile && readFileSync(ws.baselineFile, 'utf8').includes('sub/b.txt'));
  assert.deepEqual(await changedFiles(ws), []);

  writeFileSync(join(dir, 'new.txt'), 'new\n');
  writeFileSync(join(dir, 'sub', 'b.txt'), 'B\n'); // same size, new content
  rmSync(join(dir, 'c.txt'));
  utimesSync(join(dir, 'a.txt'), new Date(), new Date(Date.now() + 5000)); // touched, same bytes
  mkdirSync(join(dir, '.nightshift', 'jobs'), { recursive: true });
  writeFileSync(join(dir, '.nightshift', 'jobs', 'x.jsonl'), '{}\n');
  assert.deepEqual(await changedFiles(ws), ['c.txt', 'new.txt', 'sub/b.txt']);
});

test("a shared plain (non-git) session workspace: the second job rewriting the first job's file changed it", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-plain-'));
  const shared = { repo: dir, workspacePath: join(dataDir, 'sessions', 'p', 'workspace') };
  const ws1 = await prepare(shared);
  writeFileSync(join(ws1.path, 'out.txt'), 'first\n');
  assert.deepEqual(await changedFiles(ws1), ['out.txt']);
  const ws2 = await prepare(shared);
  assert.deepEqual(await changedFiles(ws2), []);
  writeFileSync(join(ws2.path, 'out.txt'), 'second, longer\n');
  assert.deepEqual(await changedFiles(ws2), ['out.txt']);
});

test('a WorkspaceInfo recorded before content baselines (names only) still reads: names filter as before', async () => {
  const repo = await makeRepo({ 'README.md': '# demo\n' });
  writeFileSync(join(repo, 'README.md'), '# dirty\n');
  writeFileSync(join(repo, 'new.txt'), 'new\n');
  const old: WorkspaceInfo = { path: repo, mode: 'in-place', jobDir: dataDir, baseline: ['README.md'] };
  assert.deepEqual(await changedFiles(old), ['new.txt']);
  const gone: WorkspaceInfo = { ...old, baselineFile: join(dataDir, 'no-such-baseline.json') };
  assert.deepEqual(await changedFiles(gone), ['new.txt'], 'a lost baseline file falls back to names');
});
