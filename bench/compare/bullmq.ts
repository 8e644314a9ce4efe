// BullMQ on a real Redis: the same agent command in a Worker with `slots` concurrency (a persistent queue, but no
// durability of the running agent), and an operator queue with one worker of its own (the reserved slot).
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { run, type Spawned } from './pool.js';

interface Timing {
  submittedAt: number;
  spawnedAt?: number;
  exitedAt?: number;
}

export async function bullmq(port: number, slots: number) {
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const name = `bench-${Date.now()}`;
  const timings = new Map<string, Timing>();
  const handle = async (job: Job<{ seconds: number }>): Promise<void> => {
    const t = timings.get(job.id ?? '');
    const { spawnedAt, exitedAt } = await run(job.data.seconds);
    if (t) Object.assign(t, { spawnedAt, exitedAt });
  };
  const opts = { connection, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } };
  const queues = { background: new Queue(name, opts), operator: new Queue(`${name}-op`, opts) };
  const events = {
    background: new QueueEvents(name, { connection }),
    operator: new QueueEvents(`${name}-op`, { connection }),
  };
  const workers = [
    new Worker(name, handle, { connection, concurrency: slots - 1 }),
    new Worker(`${name}-op`, handle, { connection, concurrency: 1 }),
  ];
  await Promise.all([
    ...Object.values(events).map((e) => e.waitUntilReady()),
    ...workers.map((w) => w.waitUntilReady()),
  ]);
  let n = 0;
  return {
    /** Resolves when the job is done, with submit → spawn and exit → done as the producer sees them. */
    async submit(seconds: number, lane: 'background' | 'operator' = 'background'): Promise<Spawned> {
      const jobId = `j${++n}`;
      const t: Timing = { submittedAt: performance.now() };
      timings.set(jobId, t);
      const job = await queues[lane].add('agent', { seconds }, { jobId });
      await job.waitUntilFinished(events[lane]);
      const doneAt = performance.now();
      timings.delete(jobId);
      return { toSpawn: (t.spawnedAt ?? NaN) - t.submittedAt, toDone: doneAt - (t.exitedAt ?? NaN) };
    },
    queued: (): Promise<number> => queues.background.getWaitingCount(),
    async close(): Promise<void> {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([...Object.values(events), ...Object.values(queues)].map((q) => q.close()));
    },
  };
}
