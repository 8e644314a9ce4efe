// A worker killed (SIGKILL) while a landing's check runs: after a restart the landing completes, exactly once.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { execa } from 'execa';
import { queuePollers } from '../src/activities/hosts.js';
import { hostQueue } from '../src/protocol/ids.js';
import type { LandView } from '../src/protocol/land.js';
import type { JobResult } from '../src/protocol/result.js';
import { claudeBackend } from './support/claude.js';
import { nightshift } from './support/cli.js';
import { waitFor } from './support/procs.js';
import { makeRepo } from './support/repo.js';
import { useTemporalAndModel } from './support/suite.js';
import { turns } from '../src/dev/scripted-model/anthropic.js';

const BIN = fileURLToPath(new URL('../bin/nightshift.js', import.meta.url));
const t = useTemporalAndModel();

test('a worker killed during a landing: after restart the landing completes exactly once', async () => {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-land-restart-'));
  const checksDir = mkdtempSync(join(tmpdir(), 'nightshift-land-checks-'));
  const checks = join(checksDir, 'checks.log');
  const repo = await makeRepo();
  const git = async (...args: string[]) => (await execa('git', args, { cwd: repo })).stdout;
  const config = join(root, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      backends: { claude: claudeBackend(t.stub.url) },
      ledger: { url: process.env['NIGHTSHIFT_LEDGER_URL'] },
      jobs: { heartbeatSeconds: 1 },
      sandbox: { writable: [checksDir] }, // the checks' log is outside every workspace
    }),
  );
  const env = {
    NIGHTSHIFT_CONFIG: config,
    NIGHTSHIFT_DATA_DIR: join(root, 'data'),
    NIGHTSHIFT_HOST_ID: 'lander',
    NIGHTSHIFT_TASK_QUEUE: `land-restart-${process.pid}`,
    TEMPORAL_ADDRESS: t.env.address,
  };
  const cli = (args: string[]) => nightshift(args, { env });
  const spawn = () => execa(process.execPath, [BIN, 'worker'], { env, stdin: 'ignore', reject: false });
  const startWorker = async (): Promise<{ proc: ReturnType<typeof spawn> }> => {
    const proc = spawn();
    const queue = hostQueue(env.NIGHTSHIFT_TASK_QUEUE, 'lander');
    await waitFor(
      'the worker polls',
      async () => (await queuePollers(t.env.client, 'default', queue)).some((p) => p.identity === `lander@${proc.pid}`),
      60_000,
    );
    return { proc }; // not the subprocess itself: awaiting a subprocess waits for its exit
  };
  let worker = (await startWorker()).proc;
  try {
    // The agent writes feature.txt through its Bash tool (the worktree path is only known inside).
    t.stub.setScript(
      turns([
        {
          kind: 'message',
          blocks: [
            { type: 'tool_use', name: 'Bash', input: { command: 'echo yes > feature.txt', description: 'write' } },
          ],
        },
      ]),
    );
    // On a branch (the job's own check) the check passes at once; detached (the landing's) it takes its time.
    const check = `git symbolic-ref -q HEAD >/dev/null || { echo run >> ${checks}; sleep 6; }`;
    const submitted = await cli([
      'submit',
      'add feature.txt',
      '--repo',
      repo,
      '--check',
      JSON.stringify(['sh', '-c', check]),
      '--wait',
      '--json',
    ]);
    const job = JSON.parse(submitted.stdout) as JobResult;
    assert.equal(job.status, 'succeeded', submitted.stderr);
    const before = await git('rev-parse', 'main');
    const queued = await cli(['land', job.jobId]);
    assert.equal(queued.exitCode, 0, queued.stderr);
    await waitFor('the landing check runs', () => existsSync(checks), 60_000);
    worker.kill('SIGKILL');
    await worker;
    assert.equal(await git('rev-parse', 'main'), before, 'the target has not moved while the check ran');
    worker = (await startWorker()).proc;
    let view: LandView | undefined;
    await waitFor(
      'the landing ends',
      async () => {
        const views = JSON.parse((await cli(['land', '--status', '--json'])).stdout) as LandView[];
        view = views[0];
        return view?.done.some((e) => e.jobId === job.jobId) ?? false;
      },
      120_000,
    );
    const entries = view?.done.filter((e) => e.jobId === job.jobId) ?? [];
    assert.deepEqual(
      entries.map((e) => e.state),
      ['landed'],
    );
    assert.ok(
      readFileSync(checks, 'utf8').split('\n').filter(Boolean).length >= 2,
      'the check ran again after restart',
    );
    const landed = (await git('log', '--format=%H %s', `${before}..main`)).split('\n');
    assert.equal(landed.length, 1, `exactly one commit landed: ${landed.join('; ')}`);
    assert.equal(landed[0]?.split(' ')[0], entries[0]?.commit);
    assert.equal(await git('show', 'main:feature.txt'), 'yes');
    assert.match((await cli(['status', job.jobId])).stdout, /landing {2}landed on main/);
  } finally {
    worker.kill('SIGTERM');
    await worker;
  }
});
