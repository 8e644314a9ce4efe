// The overview's tables: running jobs with their agents' live counts, the queue per lane, recent results, stats.
import { badge, clock, duration, el, firstLine, jobLink, num, pct, put, relative } from './dom.js';

const LANES = ['operator', 'interactive', 'background'];
const empty = (cols, text) => el('tr', { class: 'empty' }, el('td', { colspan: cols }, text));

/** `running`: jobId → { lane, kind, backend, step, host, live, since } from the event stream. */
export function renderRunning(running) {
  const rows = [...running.values()].sort((a, b) => (a.since ?? 0) - (b.since ?? 0));
  put(
    'running',
    rows.length
      ? rows.map((j) => {
          const live = j.live ?? {};
          return el(
            'tr',
            { 'data-testid': `running-${j.jobId}` },
            el('td', {}, jobLink(j.jobId)),
            el('td', {}, j.lane ?? '—'),
            el('td', {}, j.backend ?? '—'),
            el('td', {}, j.step ?? 'running', j.host ? el('span', { class: 'muted' }, ` on ${j.host}`) : null),
            el('td', { class: 'num', 'data-testid': 'turns' }, live.turns ?? 0),
            el('td', { class: 'num', 'data-testid': 'tool-calls' }, live.toolCalls ?? 0),
            el(
              'td',
              { class: 'num', 'data-testid': 'tokens' },
              `${num(live.tokens?.input ?? 0)} / ${num(live.tokens?.output ?? 0)}`,
            ),
            el('td', { class: 'muted num' }, j.since ? duration(Date.now() - j.since) : ''),
          );
        })
      : empty(8, 'no job is running'),
  );
}

/** The capacity view's queue, one column per lane, in grant order. */
export function renderQueue(queue) {
  for (const lane of LANES) {
    const waiting = queue.filter((q) => q.lane === lane);
    put(
      `queue-${lane}`,
      waiting.length
        ? waiting.map((q) =>
            el(
              'li',
              { 'data-testid': `queued-${q.jobId}` },
              jobLink(q.jobId),
              ` ${q.kind} · ${relative(q.requestedAt)}`,
              q.waitingForAuth ? el('span', { class: 'badge status-failed' }, 'auth-broken backends') : null,
              !q.admitted && !q.waitingForAuth ? el('span', { class: 'badge status-queued' }, 'deferred') : null,
            ),
          )
        : el('li', { class: 'muted' }, 'empty'),
    );
  }
}

/** GET /api/jobs rows, newest first; a job's status may be patched from its `job.ended` before the refetch. */
export function renderRecent(jobs) {
  put(
    'recent',
    jobs.length
      ? jobs.map((j) =>
          el(
            'tr',
            { 'data-testid': `job-row-${j.jobId}`, 'data-status': j.status },
            el('td', {}, jobLink(j.jobId)),
            el('td', {}, badge(j.status, 'row-status')),
            el('td', {}, j.backend ?? '—'),
            el('td', {}, j.kind ?? '—'),
            el('td', {}, j.lane ?? '—'),
            el('td', { class: 'muted' }, clock(j.startTime)),
            el('td', { class: 'num' }, j.closeTime ? duration((j.durationSeconds ?? 0) * 1000) : '…'),
            el('td', { class: 'prompt', title: j.prompt ?? '' }, firstLine(j.prompt, 80)),
          ),
        )
      : empty(8, 'no jobs yet'),
  );
}

/** Stats by backend: jobs, success and revised rates, p50 duration, cost per success, tokens. */
export function renderStats(stats) {
  const row = (r, total) =>
    el(
      'tr',
      { class: total ? 'total' : undefined, 'data-testid': total ? 'stats-total' : `stats-${r.group}` },
      el('td', {}, total ? 'all backends' : r.group),
      el('td', { class: 'num' }, r.jobs),
      el('td', { class: 'num' }, pct(r.successRate)),
      el('td', { class: 'num' }, pct(r.revisedRate)),
      el('td', { class: 'num' }, duration(r.p50DurationMs ?? undefined)),
      el('td', { class: 'num' }, r.succeeded ? `$${(r.costUsd / r.succeeded).toFixed(4)}` : '—'),
      el('td', { class: 'num' }, `${num(r.tokensIn)} / ${num(r.tokensOut)}`),
    );
  const rows = stats?.rows ?? [];
  put(
    'stats',
    rows.length ? [...rows.map((r) => row(r, false)), row(stats.total, true)] : empty(7, 'no finished jobs'),
  );
}
