// Where a no-op job's time goes: its history's events with their offsets from the submit, and the gaps between
// them named by what happened (workflow task latency, activity round trips, the lease's signal hops).
// Run: node --import tsx bench/profile-job.ts [--memory] [--jobs 5]
import { parseArgs } from 'node:util';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import { startEngine, nightshiftWorker } from './compare/nightshift.js';

const { values } = parseArgs({
  options: { memory: { type: 'boolean', default: false }, jobs: { type: 'string', default: '5' } },
});
const env = await startEngine(values.memory);
const { h } = await nightshiftWorker(env, 20);
const ms = (t: unknown): number => {
  const ts = t as { seconds?: { toNumber(): number } | number; nanos?: number } | undefined;
  const s = typeof ts?.seconds === 'number' ? ts.seconds : (ts?.seconds?.toNumber() ?? 0);
  return s * 1000 + (ts?.nanos ?? 0) / 1e6;
};
try {
  for (let i = 0; i < Number(values.jobs); i++) {
    const spec = resolveJobSpec({ prompt: '0', kind: 'noop', backend: 'command', workspace: 'none' }, h.config);
    const submittedAt = Date.now();
    const handle = await startJob(env.client, h.config, spec);
    const result = await handle.result();
    const doneAt = Date.now();
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const t0 = ms(events[0]?.eventTime);
    const t = result.timeline;
    process.stdout.write(
      `\njob ${i + 1}: submit→spawn ${(t.agentSpawnedAt ?? NaN) - submittedAt} ms, exit→result ${doneAt - (t.agentExitedAt ?? NaN)} ms, ${events.length} events; start at +${t0 - submittedAt} ms\n`,
    );
    let prev = t0;
    for (const e of events) {
      const at = ms(e.eventTime);
      const attrs =
        e.activityTaskScheduledEventAttributes?.activityType?.name ?? e.markerRecordedEventAttributes?.markerName ?? '';
      process.stdout.write(
        `  +${String(Math.round(at - t0)).padStart(5)} (Δ${String(Math.round(at - prev)).padStart(4)})  ${String(e.eventType).replace('EVENT_TYPE_', '')} ${attrs}\n`,
      );
      prev = at;
    }
    process.stdout.write(
      `  agent spawned +${(t.agentSpawnedAt ?? NaN) - t0}, exited +${(t.agentExitedAt ?? NaN) - t0}, result seen +${doneAt - t0}\n`,
    );
  }
} finally {
  await h.stop();
  await env.teardown();
}
