// `nightshift mcp` over stdio with the official SDK's client: initialize, tools/list, bad calls (a tool error naming
// the field; nothing submitted), and a job submitted, waited for and read back through the tools on the real engine.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { jobSpecOf } from '../src/client/jobs.js';
import { listJobs } from '../src/client/list-jobs.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

const BIN = fileURLToPath(new URL('../bin/nightshift.js', import.meta.url));
const AGENT = 'echo "answer to: $NIGHTSHIFT_PROMPT"';

let env: TestWorkflowEnvironment;
let h: Harness;
let mcp: Client;

before(async () => {
  env = await startTemporal();
  h = await startWorker(env, { backends: { command: { command: 'sh', extraArgs: ['-c', AGENT] } } });
  mcp = new Client({ name: 'nightshift-test', version: '0' });
  await mcp.connect(
    new StdioClientTransport({
      command: 'node',
      args: [BIN, 'mcp'],
      stderr: 'pipe',
      env: {
        PATH: process.env['PATH'] ?? '',
        TEMPORAL_ADDRESS: env.address,
        NIGHTSHIFT_TASK_QUEUE: h.config.temporal.taskQueue,
        NIGHTSHIFT_DATA_DIR: h.dataDir,
        NIGHTSHIFT_LEDGER_URL: process.env['NIGHTSHIFT_LEDGER_URL'] ?? '',
        NIGHTSHIFT_JOB_ID: 'job-the-brain',
        NIGHTSHIFT_LOG_LEVEL: 'warn',
      },
    }),
  );
});
after(async () => {
  await mcp?.close();
  await h?.stop();
  await env?.teardown();
});

type Text = { type: string; text: string }[];
async function call(name: string, args: Record<string, unknown>) {
  const r = await mcp.callTool({ name, arguments: args });
  const text = (r.content as Text)[0]?.text ?? '';
  return { isError: r.isError === true, text, json: () => JSON.parse(text) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- read field by field
}

const jobCount = async (): Promise<number> => (await listJobs(env.client, h.config, { limit: 500 })).rows.length;

test('initialize names the server; tools/list offers the eight tools with their input schemas', async () => {
  assert.equal(mcp.getServerVersion()?.name, 'nightshift');
  const { tools } = await mcp.listTools();
  const names = tools.map((t) => t.name).sort();
  assert.deepEqual(names, [
    'nightshift_cancel',
    'nightshift_capacity',
    'nightshift_compare',
    'nightshift_result',
    'nightshift_stats',
    'nightshift_status',
    'nightshift_submit',
    'nightshift_wait',
  ]);
  const submit = tools.find((t) => t.name === 'nightshift_submit')!;
  assert.deepEqual(submit.inputSchema.required, ['task']);
});

test('a bad tools/call is a tool error naming the field, and nothing is submitted', async () => {
  const before = await jobCount();
  const missing = await call('nightshift_submit', { backend: 'command' });
  assert.ok(missing.isError);
  assert.match(missing.text, /task/);
  const wrongType = await call('nightshift_submit', { task: 'x', lane: 'vip' });
  assert.ok(wrongType.isError);
  assert.match(wrongType.text, /lane/);
  const unknown = await call('nightshift_submit', { task: 'x', backend: 'nosuch' });
  assert.ok(unknown.isError);
  assert.match(unknown.text, /nosuch/);
  const noJob = await call('nightshift_status', { jobId: 'job-nope' });
  assert.ok(noJob.isError);
  assert.match(noJob.text, /job-nope/);
  assert.equal(await jobCount(), before, 'nothing was submitted');
});

test('submit → wait → result through the tools: the job runs under its own lease and carries its parent', async () => {
  const submitted = await call('nightshift_submit', { task: 'what is 6 x 7', backend: 'command', kind: 'llm' });
  assert.ok(!submitted.isError, submitted.text);
  const { jobId } = submitted.json();
  const waited = await call('nightshift_wait', { jobId, timeoutSeconds: 120 });
  assert.ok(!waited.isError, waited.text);
  assert.equal(waited.json()['ended'], true);
  assert.equal(waited.json()['result'].status, 'succeeded');
  assert.match(waited.json()['result'].finalText, /answer to: what is 6 x 7/);
  const result = await call('nightshift_result', { jobId });
  assert.equal(result.json()['result'].jobId, jobId);
  assert.equal((await jobSpecOf(env.client, jobId))?.parentJobId, 'job-the-brain');
  const capacity = await call('nightshift_capacity', {});
  assert.ok(capacity.json()['counters'].granted >= 1, 'it held a lease like any job');
});
