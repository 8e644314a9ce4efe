// `status` is one readable block (prompt, step or result); `list` a table with a header, aligned, validated flags.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { capacityWorkflowId } from '../src/protocol/ids.js';
import { nightshift } from './support/cli.js';
import { slowAgent } from './support/slow-agent.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
before(async () => {
  env = await startTemporal();
  h = await startWorker(env, { backends: { command: slowAgent(0).backend } });
});
after(async () => {
  await h?.stop();
  await env?.teardown();
});
const cli = (...args: string[]) => nightshift(args, { address: env.address, harness: h });
const ids = ['job-list-0001', 'job-list-0002', 'job-list-0003'];

test('status of a finished job: one header, the prompt, the result figures; of the capacity singleton: a usage error', async () => {
  for (const [i, id] of ids.entries()) {
    const r = await cli(
      'submit',
      `write note ${i}\nwith a second line`,
      '--backend',
      'command',
      '--kind',
      'llm',
      '--workspace',
      'none',
      '--id',
      id,
      '--wait',
    );
    assert.equal(r.exitCode, 0, r.stderr);
  }
  const s = await cli('status', ids[0] ?? '');
  assert.equal(s.exitCode, 0, s.stderr);
  const lines = s.stdout.split('\n');
  assert.match(lines[0] ?? '', /^job-list-0001 {2}succeeded$/);
  assert.equal(lines.filter((l) => l.startsWith('job-list-0001')).length, 1, `one header:\n${s.stdout}`);
  assert.match(s.stdout, /^ {2}prompt {3}write note 0 …$/m, 'the first line, marked as cut');
  assert.match(s.stdout, /^ {2}duration \d/m);
  assert.doesNotMatch(s.stdout, /\{"/, 'no raw JSON');
  const cap = await cli('status', capacityWorkflowId(h.config.temporal.taskQueue));
  assert.equal(cap.exitCode, 2);
  assert.match(cap.stderr, /is the capacity singleton: `nightshift capacity`/);
});

test('list: a header, aligned columns, --limit cuts and says so, --status and --limit are validated', async () => {
  const r = await cli('list');
  assert.equal(r.exitCode, 0, r.stderr);
  const [header, ...rows] = r.stdout.trim().split('\n');
  assert.match(header ?? '', /^JOB +STATUS +BACKEND +KIND +LANE +AGE +DURATION +PROMPT$/);
  assert.ok(
    rows.some((row) => row.endsWith('write note 1')),
    `the prompt's first line:\n${r.stdout}`,
  );
  for (const id of ids)
    assert.ok(
      rows.some((row) => row.startsWith(id)),
      `${id} listed`,
    );
  const statusAt = (header ?? '').indexOf('STATUS');
  for (const row of rows) assert.equal(row.indexOf('succeeded'), statusAt, `aligned: ${row}`);
  const cut = await cli('list', '--limit', '2');
  assert.equal(cut.stdout.trim().split('\n').length, 4, cut.stdout); // header, 2 rows, "more"
  assert.match(cut.stdout, /more jobs; --limit 4/);
  const bad = await cli('list', '--status', 'bogus');
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /--status: unknown status "bogus"/);
  assert.equal((await cli('list', '--limit', '0')).exitCode, 2);
});
