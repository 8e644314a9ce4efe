// The engine's live events for SSE clients: one poller per server (capacity, running jobs' progress), a long-poll
// on each running job's result so its end reaches the browser at once, and a visibility scan for jobs too fast to see.
import type { Client } from '@temporalio/client';
import { CancelledFailure, TerminatedFailure } from '@temporalio/common';
import type { Config } from '../config/schema.js';
import { capacityView, jobOutcome } from '../client/jobs.js';
import type { CapacityView } from '../protocol/capacity.js';
import { logger } from '../support/logger.js';
import { backendChanges, EndedScan, jobLive, type JobLive } from './event-sources.js';

/** A job that closed with no JobResult (terminated, cancelled before it had one): how, from the failure. */
function endedAs(error: Error | undefined): string {
  const cause = error?.cause;
  if (cause instanceof CancelledFailure) return 'cancelled';
  if (cause instanceof TerminatedFailure) return 'terminated';
  return 'failed';
}

export type EngineEvent = { type: string; data: unknown };
type Listener = (e: EngineEvent) => void;

/** Token-window samples kept for the dashboard's chart. */
const HISTORY_MS = 5 * 60_000;

export interface EventHub {
  subscribe(fn: Listener): () => void;
  /** The newest capacity view (polled), and the live state of each running job. */
  snapshot(): { capacity?: CapacityView; running: JobLive[] };
  tokenHistory(): { at: number; inWindow: number }[];
  /** Stops polling; resolves once an in-flight poll is done (its client may then be closed safely). */
  close(): Promise<void>;
}

interface Tracked {
  state: 'queued' | 'running' | 'ended';
  lane: string;
  kind: string;
  live?: JobLive;
  key?: string;
}

export function createEventHub(client: Client, config: Config, pollMs = config.http.pollMs): EventHub {
  const log = logger('http');
  const listeners = new Set<Listener>();
  const jobs = new Map<string, Tracked>();
  const samples: { at: number; inWindow: number }[] = [];
  const ended = new EndedScan(client, config);
  let view: CapacityView | undefined;
  let viewKey = '';
  let closed = false;
  // Every engine call of the hub carries this signal: closing aborts the result long-polls and any poll in flight,
  // so no call outlives the server (and its client's connection).
  const abort = new AbortController();
  const io = <T>(fn: () => Promise<T>): Promise<T> => client.withAbortSignal(abort.signal, fn);
  let timer: NodeJS.Timeout | undefined;
  let tick = 0;

  const emit = (type: string, data: unknown): void => {
    for (const fn of listeners) fn({ type, data });
  };

  /** The job ended: once, whichever source saw it first (the result long-poll, or the visibility scan). */
  const end = (jobId: string, status: string, result?: unknown): void => {
    const t = jobs.get(jobId);
    if (t?.state === 'ended' || ended.seen(jobId)) return;
    if (!t || t.state === 'queued') emit('job.started', { jobId, lane: t?.lane, kind: t?.kind, synthesized: true });
    jobs.set(jobId, { state: 'ended', lane: t?.lane ?? '', kind: t?.kind ?? '' });
    ended.mark(jobId);
    emit('job.ended', { jobId, status, at: Date.now(), ...(result ? { result } : {}) });
  };

  const watch = (jobId: string): void => {
    void io(() => jobOutcome(client, jobId)).then(({ result, error }) => {
      if (closed) return;
      end(jobId, result?.status ?? endedAs(error), result);
    });
  };

  const onView = (v: CapacityView): void => {
    const now = Date.now();
    samples.push({ at: now, inWindow: v.tokens.inWindow });
    while (samples.length && samples[0]!.at < now - HISTORY_MS) samples.shift();
    for (const [type, data] of backendChanges(view, v)) emit(type, data);
    const { charges: _c, ...rest } = v.tokens;
    const key = JSON.stringify({ ...v, tokens: rest });
    view = v;
    if (key !== viewKey) emit('capacity', { ...v, at: now });
    viewKey = key;
    for (const q of v.queue) {
      if (jobs.has(q.jobId)) continue;
      jobs.set(q.jobId, { state: 'queued', lane: q.lane, kind: q.kind });
      emit('job.queued', { jobId: q.jobId, lane: q.lane, kind: q.kind });
    }
    const queued = new Set(v.queue.map((q) => q.jobId));
    for (const h of v.holders) {
      const t = jobs.get(h.jobId);
      if (t && t.state !== 'queued') continue;
      jobs.set(h.jobId, { state: 'running', lane: h.lane, kind: h.kind });
      emit('job.started', { jobId: h.jobId, lane: h.lane, kind: h.kind });
      watch(h.jobId);
    }
    // Left the queue without a slot (cancelled while queued): its result says how it ended.
    for (const [id, t] of jobs) {
      if (t.state !== 'queued' || queued.has(id)) continue;
      t.state = 'running';
      watch(id);
    }
  };

  const progress = async (): Promise<void> => {
    const running = [...jobs].filter(([, t]) => t.state === 'running');
    await Promise.all(
      running.map(async ([jobId, t]) => {
        const live = await jobLive(client, jobId).catch(() => undefined);
        const key = JSON.stringify(live ?? null);
        if (!live || key === t.key || jobs.get(jobId)?.state !== 'running') return;
        t.live = live;
        t.key = key;
        emit('job.progress', live);
      }),
    );
  };

  const poll = async (): Promise<void> => {
    tick++;
    try {
      onView(await io(() => capacityView(client, config)));
      await io(progress);
      if (tick % 4 === 0) for (const e of await io(() => ended.scan())) end(e.jobId, e.status);
      for (const [id, t] of jobs) if (t.state === 'ended' && !ended.seen(id)) jobs.delete(id);
    } catch (err) {
      log.debug({ error: err instanceof Error ? err.message : String(err) }, 'event poll failed'); // the engine is away
    }
    if (!closed) timer = setTimeout(() => (polling = poll()), pollMs);
  };
  let polling = poll();

  return {
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    snapshot: () => ({
      ...(view ? { capacity: view } : {}),
      running: [...jobs.values()].flatMap((t) => (t.state === 'running' && t.live ? [t.live] : [])),
    }),
    tokenHistory: () => [...samples],
    async close() {
      closed = true;
      abort.abort();
      await polling;
      clearTimeout(timer);
      listeners.clear();
    },
  };
}
