// A worker's log is for people: no bundle stats, one line per expected agent failure, never a task token.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { execa } from 'execa';
import { resolveJobSpec } from '../src/client/job-input.js';
import { jobOutcome, startJob } from '../src/client/jobs.js';
import { parseConfig } from '../src/config/load.js';
import { useTemporal } from './support/stub-activities.js';

const BIN = fileURLToPath(new URL('../bin/nightshift.js', import.meta.url));
const t = useTemporal();

test('`nightshift worker` at the default level: quiet start, an agent crash per attempt as one line, no task token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-worker-logs-'));
  const raw = {
    dataDir: join(dir, 'data'),
    temporal: { address: t.env.address, taskQueue: `logs-${process.pid}-${Date.now()}` },
    backends: { command: { command: 'sh', extraArgs: ['-c', 'echo "model said no" >&2; exit 1'] } },
  };
  writeFileSync(join(dir, 'nightshift.config.json'), JSON.stringify(raw));
  const worker = execa('node', [BIN, 'worker'], {
    cwd: dir,
    reject: false,
    stdin: 'ignore',
    env: { NIGHTSHIFT_LOG_FORMAT: 'json', NIGHTSHIFT_LOG_LEVEL: 'info' },
  });
  try {
    const config = parseConfig(raw);
    const spec = resolveJobSpec({ prompt: 'fail', backend: 'command', workspace: 'none', maxAttempts: 2 }, config);
    await startJob(t.env.client, config, spec);
    const { result } = await jobOutcome(t.env.client, spec.jobId);
    assert.equal(result?.failureClass, 'AgentCrashed');
  } finally {
    worker.kill('SIGINT');
  }
  const { stderr } = await worker;
  assert.doesNotMatch(stderr, /taskToken/i, 'no task tokens');
  assert.doesNotMatch(stderr, /webpack|modules by path|asset workflow-bundle/i, 'no bundle stats');
  const failures = stderr.split('\n').filter((l) => l.includes('Activity failed'));
  assert.equal(failures.length, 2, `one line per attempt:\n${stderr}`);
  for (const line of failures) assert.match(line, /AgentCrashed, handled/);
  assert.ok(stderr.split('\n').length < 25, `a short log:\n${stderr}`);
});
