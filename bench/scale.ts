// Scale figures on one Temporal server: history events per job (the job's and the capacity singleton's), no-op
// throughput with 1, 2 and 4 workers, and the singleton's workflow-task latency as offered load grows.
// Run: npm run bench:scale   (node --import tsx bench/scale.ts [--jobs 300] [--memory])
import { parseArgs } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { capacityWorkflowId } from '../src/protocol/ids.js';
import { nightshiftWorker, startEngine, submitJob } from './compare/nightshift.js';
import { percentile } from './compare/stats.js';
import { many } from './compare/workloads.js';
import { singletonEvents, taskLatencies } from './scale/histories.js';
import type { Harness } from '../test/support/temporal.js';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '300' }, memory: { type: 'boolean', default: false } },
});
const N = Number(values.jobs);
const SLOTS = 20;

/** `n` no-op jobs, at most `inFlight` submitted and unfinished at once, spread over the workers' configs. */
async function drive(env: TestWorkflowEnvironment, hs: Harness[], n: number, inFlight: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await many({ submit: (seconds) => submitJob(env, hs[next++ % hs.length] as Harness, seconds) }, n, 0, inFlight);
  return n / ((performance.now() - t0) / 1000);
}

async function withWorkers<T>(env: TestWorkflowEnvironment, count: number, fn: (hs: Harness[]) => Promise<T>) {
  const first = (await nightshiftWorker(env, SLOTS)).h;
  const hs = [first];
  for (let i = 1; i < count; i++) hs.push((await nightshiftWorker(env, SLOTS, first.config.temporal.taskQueue)).h);
  try {
    await submitJob(env, first, 0); // warm-up: the capacity singleton starts on the first job
    return await fn(hs);
  } finally {
    await Promise.all(hs.map((h) => h.stop()));
  }
}

const env = await startEngine(values.memory);
const out: string[] = [];
const say = (line: string): void => {
  out.push(line);
  process.stderr.write(`bench: ${line}\n`);
};
try {
  say(`Temporal dev server persistence: ${values.memory ? 'in memory' : 'SQLite (as `nightshift dev`)'}`);
  // Throughput with 1, 2 and 4 workers (hosts, each its own data dir) sharing one queue and one singleton.
  for (const count of [1, 2, 4]) {
    await withWorkers(env, count, async (hs) => {
      const capacityId = capacityWorkflowId(hs[0]!.config.temporal.taskQueue);
      const before = await singletonEvents(env.client, capacityId);
      const t0 = performance.now();
      const rate = await drive(env, hs, N, 40);
      const seconds = (performance.now() - t0) / 1000;
      const capacity = (await singletonEvents(env.client, capacityId)) - before;
      say(
        `${count} worker(s): ${rate.toFixed(1)} no-op jobs/s over ${N} jobs (40 in flight); capacity singleton ` +
          `${(capacity / N).toFixed(1)} events/job, ${(capacity / seconds).toFixed(0)} events/s`,
      );
      if (count === 1) {
        const job = await env.client.workflow.list({ query: `TaskQueue = '${hs[0]!.config.temporal.taskQueue}'` });
        for await (const wf of job) {
          if (wf.type !== 'jobWorkflow' || wf.status.name !== 'COMPLETED') continue;
          say(`a no-op job's history: ${wf.historyLength} events`);
          break;
        }
      }
    });
  }
  // The singleton under growing offered load: where its workflow-task latency (scheduled → completed) doubles.
  await withWorkers(env, 1, async ([h]) => {
    const capacityId = capacityWorkflowId(h!.config.temporal.taskQueue);
    let base: number | undefined;
    for (const inFlight of [1, 2, 5, 10, 20, 40, 80]) {
      const from = Date.now();
      const rate = await drive(env, [h!], Math.max(60, inFlight * 4), inFlight);
      const lat = await taskLatencies(env.client, capacityId, from);
      const p50 = percentile(lat, 50);
      base ??= p50;
      say(
        `${String(inFlight).padStart(2)} in flight: ${rate.toFixed(1)} jobs/s; capacity workflow task p50 ` +
          `${p50.toFixed(0)} ms, p99 ${percentile(lat, 99).toFixed(0)} ms (${(p50 / base).toFixed(1)}× the 1-in-flight p50)`,
      );
    }
  });
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await env.teardown();
}
