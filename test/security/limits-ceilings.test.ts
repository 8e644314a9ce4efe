// sandbox.limits on the real engine, real bwrap and the host's real cgroups: a fork bomb and a memory hog each
// fail their own job as ResourceLimit, nothing of theirs outlives the job, and the worker runs the next job.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { jobOutcome, startJob } from '../../src/client/jobs.js';
import { FailureClass } from '../../src/protocol/failures.js';
import type { JobResult } from '../../src/protocol/result.js';
import { controllerHomes } from '../../src/sandbox/cgroup.js';
import { bwrapOnHost } from '../../src/sandbox/detect.js';
import { enforcement } from '../../src/sandbox/limits.js';
import { makeRepo } from '../support/repo.js';
import { startTemporal, startWorker, type Harness } from '../support/temporal.js';

// A hostile `command` agent: its prompt is a shell script, as an injected agent's Bash tool would run it.
const HOSTILE = { command: '/bin/sh', extraArgs: ['-c', 'eval "$NIGHTSHIFT_PROMPT"'] };
// Sleepers by a duration no other test uses, so they can be counted on the host; some leave the process group.
const SLEEP = '31.25';
const FORK_BOMB = [
  `setsid sleep ${SLEEP} >/dev/null 2>&1 &`,
  `for i in $(seq 2000); do sleep ${SLEEP} >/dev/null 2>&1 & done`,
  'wait',
].join('\n');
// Touches every byte (b"x" * n), far past memoryMb 64; the system python, not a shim in the hidden home.
const MEMORY_HOG = `/usr/bin/python3 -c 'b = b"x" * (256 << 20); print(len(b))'`;

let env: TestWorkflowEnvironment;
before(async () => {
  assert.ok(bwrapOnHost().path, `bubblewrap must work here (npm run setup installs it): ${bwrapOnHost().error}`);
  env = await startTemporal();
});
after(() => env?.teardown());

async function runJob(h: Harness, prompt: string, raw: Record<string, unknown> = {}): Promise<JobResult> {
  const spec = resolveJobSpec({ backend: 'command', maxAttempts: 1, prompt, repo: await makeRepo(), ...raw }, h.config);
  await startJob(env.client, h.config, spec);
  const { result, error } = await jobOutcome(env.client, spec.jobId);
  assert.ok(result, String(error));
  return result;
}

const sleepers = (): number =>
  spawnSync('pgrep', ['-c', '-f', `^sleep ${SLEEP}$`], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .map(Number)[0] ?? 0;

/** The run cgroups this process's workers hold now (none once every job has ended). */
function liveRunCgroups(): string[] {
  const out: string[] = [];
  for (const home of Object.values(controllerHomes())) {
    if (!existsSync(home.base)) continue;
    for (const w of readdirSync(home.base).filter((d) => d.startsWith(`w${process.pid}-`)))
      out.push(
        ...readdirSync(join(home.base, w), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name),
      );
  }
  return out;
}

async function afterwardsTheWorkerRuns(h: Harness): Promise<void> {
  const next = await runJob(h, 'echo still here | tee still-here.txt');
  assert.equal(next.status, 'succeeded', next.failureMessage);
  assert.match(next.finalText, /still here/);
  // The worker itself was never put into a run's cgroup.
  assert.doesNotMatch(readFileSync('/proc/self/cgroup', 'utf8'), /\/nightshift\//);
  assert.deepEqual(liveRunCgroups(), [], 'every run cgroup removed after its run');
}

function skipWithout(t: TestContext, ceiling: 'processes' | 'memory'): boolean {
  const e = enforcement();
  if (e.processes === 'none' && e.memory === 'none') {
    t.skip(`this host enforces neither ceiling (root without a usable pids/memory cgroup)`);
    return true;
  }
  return e[ceiling] === 'none'; // the other ceiling is asserted by its own test; this one says what it saw
}

for (const sandbox of ['bwrap', 'off'] as const) {
  test(`a fork bomb (2,000 sleepers, sandbox ${sandbox}) fails its job at maxProcesses; nothing of it survives`, async (t) => {
    if (skipWithout(t, 'processes')) return;
    const h = await startWorker(env, {
      backends: { command: HOSTILE },
      sandbox: { allowJobOff: true, limits: { maxProcesses: 100 } },
    });
    try {
      const r = await runJob(h, FORK_BOMB, { sandbox, maxAttempts: 3 });
      assert.equal(r.status, 'failed');
      if (enforcement().processes.startsWith('cgroup')) {
        assert.equal(r.failureClass, FailureClass.ResourceLimit, r.failureMessage);
        assert.match(r.failureMessage ?? '', /agent exceeded sandbox\.limits\.maxProcesses \(100\)/);
        assert.equal(r.attempts, 1, 'a ceiling hit is not retried');
      }
      // Under `off` the setsid sleeper left the process group: only the cgroup's kill reaches it.
      assert.equal(sleepers(), 0, 'no sleeper outlives its job');
      await afterwardsTheWorkerRuns(h);
    } finally {
      await h.stop();
    }
  });
}

test('a memory hog (256 MB touched) fails its job at memoryMb 64, and the worker runs the next job', async (t) => {
  if (skipWithout(t, 'memory')) {
    t.skip(`memory: not enforced on this host (${JSON.stringify(enforcement())})`);
    return;
  }
  const h = await startWorker(env, { backends: { command: HOSTILE }, sandbox: { limits: { memoryMb: 64 } } });
  try {
    const r = await runJob(h, MEMORY_HOG);
    assert.equal(r.status, 'failed');
    assert.equal(r.failureClass, FailureClass.ResourceLimit, r.failureMessage);
    assert.match(r.failureMessage ?? '', /agent exceeded sandbox\.limits\.memoryMb \(64\)/);
    await afterwardsTheWorkerRuns(h);
  } finally {
    await h.stop();
  }
});

test('within its ceilings a run is untouched: a few processes and 16 MB pass the same limits', async () => {
  const h = await startWorker(env, {
    backends: { command: HOSTILE },
    sandbox: { limits: { maxProcesses: 100, memoryMb: 64 } },
  });
  try {
    const ok = `for i in 1 2 3; do sleep 0.1 & done; wait; /usr/bin/python3 -c 'b = b"x" * (16 << 20); print("fine")' | tee fine.txt`;
    const r = await runJob(h, ok);
    assert.equal(r.status, 'succeeded', r.failureMessage);
    assert.match(r.finalText, /fine/);
  } finally {
    await h.stop();
  }
});

// An agent root inside bwrap tries to leave its cgroup (a fresh cgroupfs mount, its pid written at the root), then
// forks past the ceiling: it must still be in its run's cgroup, and still stopped at maxProcesses.
const ESCAPE = [
  'mkdir -p /tmp/cg && mount -t cgroup -o pids none /tmp/cg 2>/dev/null && echo $$ > /tmp/cg/cgroup.procs',
  'echo $$ > /sys/fs/cgroup/pids/cgroup.procs 2>/dev/null',
  'grep -E "^[0-9]+:pids:" /proc/self/cgroup | tee cgroup.txt',
  `for i in $(seq 300); do sleep ${SLEEP} >/dev/null 2>&1 & done`,
  'wait',
].join('\n');

// Root inside bwrap keeps every capability unless bwrap drops them (`--cap-drop ALL` in bwrap-args.ts): it could
// mount a fresh cgroupfs and leave its cgroup, or remount any read-only bind writable.
test('an agent cannot leave its cgroup from inside bwrap (no remount, no fresh cgroupfs)', async (t) => {
  if (enforcement().processes !== 'cgroup v1' && enforcement().processes !== 'cgroup v2') {
    t.skip(`no pids cgroup here (${enforcement().processes})`);
    return;
  }
  const h = await startWorker(env, { backends: { command: HOSTILE }, sandbox: { limits: { maxProcesses: 100 } } });
  try {
    const r = await runJob(h, ESCAPE, { maxAttempts: 1 });
    // Escaped, its 300 sleepers would run unbounded and the job succeed, printing the cgroup it reached.
    assert.equal(r.failureClass, FailureClass.ResourceLimit, `escaped its cgroup: ${r.status}\n${r.finalText}`);
    assert.equal(sleepers(), 0, 'no sleeper outlives its job');
  } finally {
    await h.stop();
  }
});

test('a check that forks past maxProcesses fails, and its output says which ceiling it passed', async (t) => {
  if (!enforcement().processes.startsWith('cgroup')) {
    t.skip(`no pids cgroup here (${enforcement().processes}): a check's ceiling cannot be read back`);
    return;
  }
  const h = await startWorker(env, { backends: { command: HOSTILE }, sandbox: { limits: { maxProcesses: 50 } } });
  try {
    const check = ['/bin/sh', '-c', `for i in $(seq 500); do sleep ${SLEEP} >/dev/null 2>&1 & done; wait`];
    const r = await runJob(h, 'echo work | tee work.txt', { check });
    assert.equal(r.check?.passed, false, r.check?.outputTail);
    assert.match(r.check?.outputTail ?? '', /\[nightshift: check exceeded sandbox\.limits\.maxProcesses \(50\)\]/);
    assert.equal(sleepers(), 0, 'no sleeper of the check outlives it');
    await afterwardsTheWorkerRuns(h);
  } finally {
    await h.stop();
  }
});
