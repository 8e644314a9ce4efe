// no_op through the engine (the `command` backend): a warm session's rewrite of a file an earlier job left, and a
// job in a folder outside git, are changes — only a job that wrote nothing is no_op.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec } from '../src/client/job-input.js';
import { jobOutcome, startJob } from '../src/client/jobs.js';
import { submitToSession, waitForSessionJob } from '../src/client/sessions.js';
import type { JobResult } from '../src/protocol/result.js';
import { makeRepo } from './support/repo.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

// The agent writes its prompt into out.txt, unless the prompt is "nothing".
const AGENT =
  'case "$NIGHTSHIFT_PROMPT" in nothing) ;; *) printf "%s\\n" "$NIGHTSHIFT_PROMPT" > out.txt ;; esac; echo done';

let env: TestWorkflowEnvironment;
let h: Harness;

before(async () => {
  env = await startTemporal();
  h = await startWorker(env, { backends: { command: { command: 'sh', extraArgs: ['-c', AGENT] } } });
});
after(async () => {
  await h?.stop();
  await env?.teardown();
});

async function sessionJob(name: string, raw: Record<string, unknown>): Promise<JobResult> {
  const spec = await submitToSession(env.client, h.config, name, { backend: 'command', ...raw });
  const record = await waitForSessionJob(env.client, h.config, name, spec.jobId, 200);
  assert.ok(record.result, `${spec.jobId}: ${record.status}`);
  return record.result;
}

test('a warm session: the second job rewrites the first job’s file and succeeds with it; a job that writes nothing is no_op', async () => {
  const repo = await makeRepo();
  const one = await sessionJob('rewrite', { prompt: 'first', repo });
  assert.equal(one.status, 'succeeded');
  assert.deepEqual(one.filesChanged, ['out.txt']);
  const two = await sessionJob('rewrite', { prompt: 'second' });
  assert.equal(two.status, 'succeeded', 'the rewrite of an already-changed file is a change');
  assert.deepEqual(two.filesChanged, ['out.txt']);
  assert.equal(readFileSync(join(two.workspace ?? '', 'out.txt'), 'utf8'), 'second\n');
  const three = await sessionJob('rewrite', { prompt: 'nothing' });
  assert.equal(three.status, 'no_op');
  assert.deepEqual(three.filesChanged, []);
});

test('a job in a folder outside git runs in place, creates a file and succeeds (not no_op)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-plain-'));
  const spec = resolveJobSpec({ prompt: 'made', repo: dir, backend: 'command', maxAttempts: 1 }, h.config);
  await startJob(env.client, h.config, spec);
  const { result } = await jobOutcome(env.client, spec.jobId);
  assert.equal(result?.status, 'succeeded');
  assert.deepEqual(result.filesChanged, ['out.txt']);
  assert.equal(result.workspace, dir);
  assert.ok(existsSync(join(dir, 'out.txt')));

  const again = resolveJobSpec({ prompt: 'nothing', repo: dir, backend: 'command', maxAttempts: 1 }, h.config);
  await startJob(env.client, h.config, again);
  const outcome = await jobOutcome(env.client, again.jobId);
  assert.equal(outcome.result?.status, 'no_op', 'the file the first job made is not the second job’s');
});
