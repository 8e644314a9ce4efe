// `replay` of a `history --json` timeline (or any JSON that is not a history) is a usage error, never a crash;
// `history --export FILE` writes the real history, which replays.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { nightshift } from './support/cli.js';
import { slowAgent } from './support/slow-agent.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
const dir = mkdtempSync(join(tmpdir(), 'nightshift-replay-'));
before(async () => {
  env = await startTemporal();
  h = await startWorker(env, { backends: { command: slowAgent(0).backend } });
});
after(async () => {
  await h?.stop();
  await env?.teardown();
});

const cli = (...args: string[]) => nightshift(args, { address: env.address, harness: h });
const NO_CRASH = /Cannot read properties|TypeError|\n\s+at /;

test('replay of a `history --json` file: exit 2, says it is a timeline and how to get a history; --export replays', async () => {
  const id = 'job-replay-me';
  const job = await cli('submit', 'say hi', '--backend', 'command', '--kind', 'llm', '--workspace', 'none', '--id', id);
  assert.equal(job.exitCode, 0, job.stderr);
  await env.client.workflow.getHandle(id).result();
  const timelineFile = join(dir, 'timeline.json');
  writeFileSync(timelineFile, (await cli('history', id, '--json')).stdout);

  const r = await cli('replay', timelineFile);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /is a timeline .*not a Temporal history/);
  assert.match(r.stderr, /nightshift replay <job id>/);
  assert.match(r.stderr, /--export FILE|temporal workflow show/);
  assert.doesNotMatch(r.stderr, NO_CRASH);

  const historyFile = join(dir, 'history.json');
  const exported = await cli('history', id, '--export', historyFile);
  assert.equal(exported.exitCode, 0, exported.stderr);
  const ok = await cli('replay', historyFile);
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.match(ok.stdout, /replays cleanly/);
});

test('replay of JSON that is no history (object, array, number, empty events, bad events): exit 2, one line', async () => {
  const cases = ['{}', '[]', '42', 'null', '{"events": []}', '{"events": [{"eventId": "1"}]}', '{"jobId": "job-x"}'];
  for (const [i, text] of cases.entries()) {
    const file = join(dir, `not-history-${i}.json`);
    writeFileSync(file, text);
    const r = await nightshift(['replay', file]);
    assert.equal(r.exitCode, 2, `${text}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${text}: ${r.stderr}`);
    assert.match(r.stderr, /not a Temporal history/, text);
    assert.doesNotMatch(r.stderr, NO_CRASH, text);
  }
});
