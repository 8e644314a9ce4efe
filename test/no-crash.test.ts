// No worker ever crashes because of one job: a host's trouble (a vanished dir or CLI, an unwritable output file)
// fails that job with a class while the worker runs on; agents are capped per host and die with their host.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import { FailureClass } from '../src/protocol/failures.js';
import type { JobSpec } from '../src/protocol/job.js';
import { prepareWorkspace } from '../src/workspace/prepare.js';
import { jobFailure } from './support/outcomes.js';
import { processesIn, waitFor } from './support/procs.js';
import { maxOverlap, slowAgent } from './support/slow-agent.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

let env: TestWorkflowEnvironment;
before(async () => void (env = await startTemporal()));
after(async () => void (await env?.teardown()));

const scratchDir = () => mkdtempSync(join(tmpdir(), 'nightshift-nocrash-'));

async function submit(h: Harness, prompt: string, backend = 'command') {
  const spec = resolveJobSpec({ prompt, kind: 'llm', backend, workspace: 'none', maxAttempts: 2 }, h.config);
  return submitSpec(h, spec);
}

async function submitSpec(h: Harness, spec: JobSpec) {
  const handle = await startJob(env.client, h.config, spec);
  return { spec, handle, jobDir: join(h.dataDir, 'jobs', spec.jobId) };
}

/** The job failed with `type`, its message naming `path`, and the worker still runs. */
async function assertFailed(h: Harness, jobId: string, type: string, path: string): Promise<void> {
  const failure = await jobFailure(env.client, jobId);
  assert.equal(failure.type, type, failure.message);
  assert.ok(failure.message.includes(path), `the message names ${path}: ${failure.message}`);
  assert.equal(h.worker.getState(), 'RUNNING');
}

test('one worker, host trouble in several jobs: each fails with its class, the others succeed, the worker runs on', async () => {
  const agent = slowAgent(4);
  const clis = scratchDir();
  const vanishing = join(clis, 'vanishing-cli');
  const noInterpreter = join(clis, 'no-interpreter-cli');
  writeFileSync(vanishing, '#!/bin/sh\necho never\n');
  writeFileSync(noInterpreter, '#!/nonexistent/interpreter\n'); // its interpreter is gone: spawn ENOENT
  for (const f of [vanishing, noInterpreter]) chmodSync(f, 0o755);
  const late: { h?: Harness } = {}; // the worker, once made: its preparation runs only after that
  // The real preparation, then the job's directory made unusable before the agent starts (by prompt).
  const prepare = async (spec: JobSpec) => {
    const { config, worker } = late.h!;
    const ws = {
      ...(await prepareWorkspace(spec, config)),
      host: worker.host.hostId,
      hostQueue: worker.host.hostQueue,
    };
    if (spec.prompt === 'output blocked') mkdirSync(join(ws.jobDir, 'agent-attempt-1.jsonl'));
    if (spec.prompt === 'dir gone before spawn') rmSync(ws.jobDir, { recursive: true }); // as on another host
    return ws;
  };
  const h = (late.h = await startWorker(
    env,
    {
      backends: { command: agent.backend, claude: { command: vanishing }, codex: { command: noInterpreter } },
      sandbox: agent.sandbox,
    },
    undefined,
    { prepareWorkspace: prepare },
  ));
  try {
    const doomed = await submit(h, 'dir removed');
    const healthy = await submit(h, 'healthy');
    const blocked = await submit(h, 'output blocked');
    const gone = await submit(h, 'dir gone before spawn');
    const vanished = resolveJobSpec(
      { prompt: 'cli gone', kind: 'llm', backend: 'claude', workspace: 'none' },
      h.config,
    );
    rmSync(vanishing); // after submit checked it
    const cliGone = await submitSpec(h, vanished);
    const noInterp = await submit(h, 'interpreter gone', 'codex');

    await waitFor("the doomed job's agent to start", () => agent.intervals().has('dir removed'));
    rmSync(doomed.jobDir, { recursive: true });
    await assertFailed(h, doomed.spec.jobId, FailureClass.JobDirMissing, doomed.jobDir);
    await waitFor("the doomed job's agent to be killed", () => processesIn(doomed.jobDir).length === 0, 10_000);

    await assertFailed(
      h,
      blocked.spec.jobId,
      FailureClass.WorkspaceUnwritable,
      join(blocked.jobDir, 'agent-attempt-1'),
    );
    await assertFailed(h, gone.spec.jobId, FailureClass.JobDirMissing, gone.jobDir);
    await assertFailed(h, cliGone.spec.jobId, FailureClass.AgentNotFound, vanishing);
    await assertFailed(h, noInterp.spec.jobId, FailureClass.AgentNotFound, noInterpreter);

    const result = await healthy.handle.result();
    assert.equal(result.status, 'succeeded');
    const runs = agent.intervals();
    const doomedRun = runs.get('dir removed')!;
    const healthyRun = runs.get('healthy')!;
    assert.ok(healthyRun.end, 'the healthy agent ran to its end');
    assert.equal(doomedRun.end, undefined, 'the doomed agent never finished');
    assert.equal(maxOverlap([doomedRun, healthyRun]), 2, 'the two agents ran at the same time');
    assert.equal(h.worker.getState(), 'RUNNING');
  } finally {
    await h.stop();
  }
});

describe('a host capped at one agent (worker.maxAgents 1)', () => {
  const agent = slowAgent(2);
  let h: Harness;
  before(async () => {
    h = await startWorker(env, {
      backends: { command: agent.backend },
      sandbox: agent.sandbox,
      worker: { maxAgents: 1 },
      capacity: { maxSlots: 2, reservedOperatorSlots: 0 },
    });
  });
  after(() => h?.stop());

  test('two capacity slots, two jobs: one agent at a time on the host, both jobs succeed', async () => {
    const jobs = [await submit(h, 'first'), await submit(h, 'second')];
    const results = await Promise.all(jobs.map((j) => j.handle.result()));
    assert.deepEqual(
      results.map((r) => r.status),
      ['succeeded', 'succeeded'],
    );
    const intervals = ['first', 'second'].map((p) => agent.intervals().get(p)!);
    assert.ok(intervals.every((i) => i.end !== undefined));
    assert.equal(maxOverlap(intervals), 1, 'agents running at once on the host');
    assert.equal(h.worker.host.slots.running, 0, 'every slot released');
  });

  test('a check runs in its own group and heartbeats; a cancel kills the whole group, the worker runs on', async () => {
    const repo = scratchDir();
    const check = ['sh', '-c', 'echo checking; sleep 60 & sleep 60']; // a check that started a child of its own
    const spec = resolveJobSpec(
      { prompt: 'then check', kind: 'llm', backend: 'command', workspace: 'in-place', repo, check },
      h.config,
    );
    const { handle, jobDir } = await submitSpec(h, spec);
    const log = join(jobDir, 'check.log');
    await waitFor('the check to log', () => existsSync(log) && readFileSync(log, 'utf8').includes('checking'));
    await waitFor('a heartbeat from the check', async () => {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      return pending.some((a) => a.activityType?.name === 'runCheck' && a.lastHeartbeatTime);
    });
    assert.equal(processesIn(repo, { sandbox: false }).length, 3, 'sh and its two sleeps (bwrap aside)');
    await handle.cancel();
    await waitFor('the check group to be gone', () => processesIn(repo).length === 0, 10_000);
    assert.equal(h.worker.getState(), 'RUNNING');
  });
});

const HOST = fileURLToPath(new URL('./fixtures/reaper-host.ts', import.meta.url));

/** Live (not zombie) processes of a process group: a killed orphan stays a zombie until init reaps it. */
function liveMembers(pgid: number): number[] {
  try {
    process.kill(-pgid, 0);
  } catch {
    return [];
  }
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const [state, , pgrp] = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ').pop()!.split(' ');
        return Number(pgrp) === pgid && state !== 'Z';
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

/** Starts the fixture host; resolves with its agent's process group and its reaper's pid once the agent runs. */
async function startHost(mode: 'wait' | 'exit') {
  const host = spawn(process.execPath, ['--import', 'tsx', HOST, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: host.stdout });
  const line = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    host.once('exit', (code) => reject(new Error(`reaper host exited (${code}) before its agent ran`)));
  });
  const [, pgid, , reaper] = line.split(' ').map(Number);
  assert.ok(pgid && reaper, `agent and reaper announced: ${line}`);
  return { host, pgid, reaper };
}

/** Runs the fixture host in `mode`, then `check`; whatever happened, nothing of it is left running. */
async function withHost(mode: 'wait' | 'exit', check: (run: Awaited<ReturnType<typeof startHost>>) => Promise<void>) {
  const run = await startHost(mode);
  try {
    await check(run);
  } finally {
    // Only what is still ours: the host while Node tracks it, the group while it has live members, the reaper by its script.
    if (run.host.exitCode === null && run.host.signalCode === null) run.host.kill('SIGKILL');
    if (liveMembers(run.pgid).length > 0) process.kill(-run.pgid, 'SIGKILL');
    if (existsLive(run.reaper) && readFileSync(`/proc/${run.reaper}/cmdline`, 'utf8').includes('kill -KILL')) {
      process.kill(run.reaper, 'SIGKILL');
    }
  }
}

test('agents die with their host: SIGKILL the worker process, its reaper kills the agent group and exits', () =>
  withHost('wait', async ({ host, pgid, reaper }) => {
    assert.ok(liveMembers(pgid).length >= 2, 'the agent and its child run');
    host.kill('SIGKILL');
    await waitFor('the agent group to be gone', () => liveMembers(pgid).length === 0, 5_000);
    await waitFor('the reaper to exit', () => !existsLive(reaper), 5_000);
  }));

test('a worker that exits normally leaves neither its agents nor its reaper behind', () =>
  withHost('exit', async ({ host, pgid, reaper }) => {
    await new Promise((r) => (host.exitCode === null ? host.once('exit', r) : r(undefined)));
    await waitFor('the agent group to be gone', () => liveMembers(pgid).length === 0, 5_000);
    await waitFor('the reaper to exit', () => !existsLive(reaper), 5_000);
  }));

/** Whether a pid is a live (not zombie) process. */
function existsLive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.startsWith('Z');
  } catch {
    return false;
  }
}
