// Engine overhead around an agent, as ratios to a Temporal round trip measured in the same run.
// Run: npm run bench   (node --import tsx bench/latency.ts [--rounds N])
import { parseArgs } from 'node:util';
import { resolveJobSpec } from '../src/client/job-input.js';
import { capacityView, startJob } from '../src/client/jobs.js';
import { startTemporal, startWorker, type Harness } from '../test/support/temporal.js';
import { slowAgent } from '../test/support/slow-agent.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const rounds = Number(values.rounds);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function roundTrip(env: TestWorkflowEnvironment, h: Harness): Promise<number> {
  const t0 = performance.now();
  await capacityView(env.client, h.config); // a query answered by the capacity workflow on the worker
  return performance.now() - t0;
}

async function noopJob(env: TestWorkflowEnvironment, h: Harness, lane: string, prompt = 'noop') {
  const spec = resolveJobSpec({ prompt, kind: 'llm', backend: 'command', workspace: 'none', lane }, h.config);
  const submittedAt = Date.now();
  const result = await (await startJob(env.client, h.config, spec)).result();
  const resultAt = Date.now();
  const t = result.timeline;
  return {
    submitToSpawn: (t.agentSpawnedAt ?? NaN) - submittedAt,
    exitToResult: resultAt - (t.agentExitedAt ?? NaN),
    leaseWait: result.leaseWaitMs,
  };
}

const env = await startTemporal();
const noop = slowAgent(0);
const h = await startWorker(env, { backends: { command: { ...noop.backend, command: 'true' } } });
try {
  await noopJob(env, h, 'interactive'); // warm-up: starts the capacity singleton
  const rt: number[] = [];
  const spawn: number[] = [];
  const result: number[] = [];
  const opIdle: number[] = [];
  for (let i = 0; i < rounds; i++) {
    rt.push(await roundTrip(env, h));
    const r = await noopJob(env, h, 'interactive');
    spawn.push(r.submitToSpawn);
    result.push(r.exitToResult);
    opIdle.push((await noopJob(env, h, 'operator')).submitToSpawn);
  }
  await h.stop();
  const sleeper = slowAgent(30);
  const hs = await startWorker(env, { backends: { command: sleeper.backend } });
  const background = [];
  for (let i = 0; i < 25; i++) {
    const spec = resolveJobSpec(
      { prompt: `bg ${i}`, kind: 'llm', backend: 'command', workspace: 'none', lane: 'background' },
      hs.config,
    );
    background.push(await startJob(env.client, hs.config, spec));
  }
  while ((await capacityView(env.client, hs.config)).lanes.background.running < 19)
    await new Promise((r) => setTimeout(r, 100));
  const opSat: number[] = [];
  // From here on this worker's command agent is a no-op (the 19 sleepers keep their slots for 30 s).
  hs.config.backends['command'] = { ...sleeper.backend, command: 'true', extraArgs: [] };
  for (let i = 0; i < rounds; i++) opSat.push((await noopJob(env, hs, 'operator', `op ${i}`)).submitToSpawn);
  // Some queued sleepers may have run the no-op and finished already: only the rest need ending.
  await Promise.all(background.map((b) => b.terminate('bench done').catch(() => undefined)));
  await hs.stop();
  const base = median(rt);
  const row = (name: string, xs: number[], b = base, bName = 'round trip') =>
    console.log(
      `${name.padEnd(44)} median ${median(xs).toFixed(0).padStart(5)} ms   ${(median(xs) / b).toFixed(1).padStart(5)}× ${bName}`,
    );
  console.log(`baseline: capacity query round trip, median ${base.toFixed(1)} ms over ${rounds} rounds`);
  row('submit → agent spawn (no-op agent, idle)', spawn);
  row('agent exit → result at the client', result);
  row('operator submit → spawn, idle', opIdle);
  row('operator submit → spawn, 19 background held', opSat, median(opIdle), 'operator idle');
} finally {
  await env.teardown();
}
