// The sandbox on real bubblewrap: what a `command` agent sees from inside (its workspace writable, / read-only, the
// worker's home hidden, only its own key), a check's network (none by default), and kill -9 of the worker.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec } from '../src/client/job-input.js';
import { jobOutcome, startJob } from '../src/client/jobs.js';
import { parseConfig } from '../src/config/load.js';
import type { JobResult } from '../src/protocol/result.js';
import { bwrapOnHost } from '../src/sandbox/detect.js';
import { sandboxed } from '../src/sandbox/wrap.js';
import { fleetPaths, startHost } from './support/fleet.js';
import { waitFor } from './support/procs.js';
import { makeRepo } from './support/repo.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

const PROBE = fileURLToPath(new URL('./fixtures/sandbox-probe.sh', import.meta.url));
// Outside /tmp (the sandbox's /tmp is private): a home with a key in ~/.ssh, and a dir outside any repo.
const scratch = mkdtempSync('/var/tmp/nightshift-sandbox-');
const workerHome = join(scratch, 'home');
const outside = join(scratch, 'outside');
mkdirSync(join(workerHome, '.ssh'), { recursive: true });
writeFileSync(join(workerHome, '.ssh', 'id_ed25519'), 'not a real key\n');
mkdirSync(outside);
// The worker's own environment: its home, and keys of other CLIs that no agent but theirs may see.
process.env['HOME'] = workerHome;
process.env['ANTHROPIC_API_KEY'] = 'sk-ant-worker-secret';
process.env['OPENAI_API_KEY'] = 'sk-openai-worker-secret';

let env: TestWorkflowEnvironment;
before(async () => {
  assert.ok(bwrapOnHost().path, `bubblewrap must work here (npm run setup installs it): ${bwrapOnHost().error}`);
  env = await startTemporal();
});
after(() => env?.teardown());

async function runJob(h: Harness, raw: Record<string, unknown>): Promise<JobResult> {
  const spec = resolveJobSpec({ backend: 'command', maxAttempts: 1, ...raw }, h.config);
  await startJob(env.client, h.config, spec);
  const { result, error } = await jobOutcome(env.client, spec.jobId);
  assert.ok(result, String(error));
  return result;
}

const lines = (text: string): Set<string> => new Set(text.split('\n').filter(Boolean));

test('inside the sandbox a command agent writes its workspace only, sees no ~/.ssh and only its own key', async () => {
  const h = await startWorker(env, {
    backends: {
      command: {
        command: PROBE,
        env: { COMMAND_TOKEN: 'command-own-key', OUTSIDE_DIR: outside, WORKER_HOME: workerHome },
      },
    },
    sandbox: { allowJobOff: true },
  });
  try {
    const r = await runJob(h, { prompt: 'probe', repo: await makeRepo() });
    assert.equal(r.status, 'succeeded', r.failureMessage);
    assert.equal(r.sandbox, 'bwrap');
    const seen = lines(r.finalText ?? '');
    for (const want of [
      'workspace=writable',
      'root=refused',
      'outside=refused',
      'remount=refused',
      'ssh=hidden',
      'tmp=writable',
    ])
      assert.ok(seen.has(want), `${want} in:\n${r.finalText}`);
    assert.ok(seen.has('worker-secrets=0'), 'no value of the worker’s keys in its environment');
    assert.ok(seen.has('own-key=present'), 'its own backend’s key reached it');
    assert.ok(!seen.has('env:ANTHROPIC_API_KEY') && !seen.has('env:OPENAI_API_KEY'), 'no other CLI’s key by name');
    assert.ok(seen.has(`home=${join(h.dataDir, 'backends', 'command', 'home')}`), 'HOME is the backend’s own');
    assert.deepEqual(r.filesChanged, ['probe-written']);
    assert.ok(!existsSync(join(outside, 'probe')), 'nothing written outside the workspace');
    assert.ok(!existsSync(join(outside, 'remounted')), 'no capability to remount a read-only bind writable');
    // A job that asks for no sandbox, where the config allows it: unconfined, and its result says so.
    const off = await runJob(h, { prompt: 'probe', repo: await makeRepo(), sandbox: 'off' });
    assert.equal(off.sandbox, 'off');
    const offSeen = lines(off.finalText);
    assert.ok(offSeen.has('outside=writable') && offSeen.has('ssh=visible'), off.finalText);
    assert.ok(offSeen.has('worker-secrets=0'), 'unconfined too, a CLI gets only its own keys');
  } finally {
    await h.stop();
  }
});

/** A TCP port on 127.0.0.1 that counts who connects. */
async function listener(): Promise<{ port: number; connections: () => number; server: Server }> {
  let n = 0;
  const server = createServer((s) => {
    n++;
    s.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { port, connections: () => n, server };
}

test('a check gets no network by default and no key; with sandbox.checkNetwork it reaches an allowed port through the egress proxy', async () => {
  const l = await listener();
  // With checkNetwork its one way out is the egress proxy (HTTPS_PROXY): a CONNECT to the port, allowed by allowHosts.
  const connect = `const p = process.env.HTTPS_PROXY ? new URL(process.env.HTTPS_PROXY) : undefined; const s = require('net').connect(p ? Number(p.port) : ${l.port}, '127.0.0.1'); s.on('connect', () => p ? s.write('CONNECT 127.0.0.1:${l.port} HTTP/1.1\\r\\n\\r\\n') : process.exit(0)); s.on('data', (d) => process.exit(String(d).startsWith('HTTP/1.1 200') ? 0 : 4)); s.on('error', (e) => { console.error('connect: ' + e.code); process.exit(3); })`;
  // The check also lists its environment's names: no CLI's key may be among them.
  const check = ['sh', '-c', `env | cut -d= -f1 | sed 's/^/env:/'; exec node -e "$0"`, connect];
  try {
    for (const checkNetwork of [false, true]) {
      const sandbox = { checkNetwork, allowHosts: [`127.0.0.1:${l.port}`] };
      const h = await startWorker(env, { backends: { command: { command: 'true' } }, sandbox });
      try {
        const before = l.connections();
        const r = await runJob(h, { prompt: `network ${checkNetwork}`, repo: await makeRepo(), check });
        assert.equal(r.check?.sandbox, 'bwrap');
        assert.equal(r.check?.passed, checkNetwork, r.check?.outputTail);
        assert.equal(l.connections() - before, checkNetwork ? 1 : 0);
        if (!checkNetwork) assert.match(r.check?.outputTail ?? '', /connect: E(CONNREFUSED|NETUNREACH)/);
        const names = lines(r.check?.outputTail ?? '');
        assert.ok(!names.has('env:ANTHROPIC_API_KEY') && !names.has('env:OPENAI_API_KEY'), r.check?.outputTail);
        assert.ok(names.has('env:PATH'), 'the check’s environment was listed');
      } finally {
        await h.stop();
      }
    }
  } finally {
    l.server.close();
  }
});

test('sandbox.agentNetwork none: a command agent reaches no port, not even on 127.0.0.1', async () => {
  const l = await listener();
  const connect = `require('net').connect(${l.port}, '127.0.0.1').on('connect', () => console.log('connected')).on('error', (e) => console.log('connect: ' + e.code))`;
  const h = await startWorker(env, {
    backends: { command: { command: process.execPath, extraArgs: ['-e', connect] } },
    sandbox: { agentNetwork: 'none' },
  });
  try {
    const r = await runJob(h, { prompt: 'offline', kind: 'llm', workspace: 'none' });
    assert.equal(r.status, 'succeeded', r.failureMessage);
    assert.match(r.finalText, /connect: E(CONNREFUSED|NETUNREACH)/);
    assert.equal(l.connections(), 0);
  } finally {
    await h.stop();
    l.server.close();
  }
});

/** Pids of `sleep <seconds>` processes (any path to sleep): the agent, and nothing else has these seconds. */
function sleepers(seconds: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        return argv.length === 2 && argv[0]?.endsWith('sleep') === true && argv[1] === seconds;
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('kill -9 of the worker: its sandboxed agent dies with it', { timeout: 180_000 }, async () => {
  const { dataDir } = fleetPaths();
  const taskQueue = `sandbox-kill-${process.pid}`;
  const seconds = '3137.25'; // a command line no other process has
  const config = { backends: { command: { command: 'sleep', extraArgs: [seconds] } } };
  const host = await startHost('sandbox-victim', {
    client: env.client,
    address: env.address,
    taskQueue,
    dataDir,
    config,
  });
  try {
    const cfg = parseConfig({ ...config, dataDir, temporal: { taskQueue } });
    const spec = resolveJobSpec({ prompt: 'sleep', repo: await makeRepo(), backend: 'command', maxAttempts: 1 }, cfg);
    await startJob(env.client, cfg, spec);
    await waitFor('the sandboxed agent to run', () => sleepers(seconds).length > 0, 60_000).catch((err) => {
      throw new Error(`${String(err)}; host stderr: ${host.stderr()}`);
    });
    const [agent] = sleepers(seconds);
    assert.notEqual(
      readlinkSync(`/proc/${agent}/ns/pid`),
      readlinkSync('/proc/self/ns/pid'),
      'in its own pid namespace',
    );
    host.kill9();
    await waitFor('no agent left', () => sleepers(seconds).length === 0, 30_000);
  } finally {
    await host.stop().catch(() => undefined);
  }
});

/** Every process (zombies too) whose process group is `pgid`, as "pid state comm". */
function groupMembers(pgid: number): string[] {
  const rows: string[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid)
        rows.push(`${p} ${fields[0]} ${stat.slice(stat.indexOf('('), stat.lastIndexOf(')') + 1)}`);
    } catch {
      // exited meanwhile
    }
  }
  return rows;
}

test('a sandboxed run leaves nothing of its group behind, not even a zombie bwrap, when its leader exits', async () => {
  const dataDir = mkdtempSync('/var/tmp/nightshift-sandbox-reap-');
  const config = parseConfig({ dataDir });
  const cwd = join(dataDir, 'ws');
  mkdirSync(cwd);
  for (let i = 0; i < 3; i++) {
    const inv = await sandboxed({
      mode: 'bwrap',
      invocation: { command: '/bin/true', args: [], env: {} },
      cwd,
      own: [],
      stateDir: join(dataDir, 'state'),
      network: { kind: 'none' },
      config,
    });
    try {
      // As the supervisor spawns it: its own process group, led by the wrapped command.
      const child = spawn(inv.command, inv.args, { cwd, env: inv.env, detached: true, stdio: 'ignore' });
      const left = await new Promise<string[]>((done) => child.on('exit', () => done(groupMembers(child.pid ?? -1))));
      // bwrap's pid-namespace init is orphaned as its monitor exits: without a reaper it lingers as a zombie (the
      // host's PID 1 reaps it late, or never), the group looks alive, and the run's end waited out a kill grace.
      assert.deepEqual(left, [], 'the group is empty the moment its leader is reaped, zombies included');
    } finally {
      await inv.release();
    }
  }
});
