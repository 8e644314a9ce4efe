// The capacity card: slot gauges per lane, the token window over the last five minutes, backpressure, backend marks,
// budgets.
import { byId, clock, el, firstLine, num, put, relative, svg } from './dom.js';

const LANES = ['operator', 'interactive', 'background'];
const HISTORY_MS = 5 * 60_000;

export function renderCapacity(view) {
  const s = view.slots;
  put(
    'slots-summary',
    `${s.used} / ${s.max} slots used · ${s.reservedOperator} reserved for the operator lane · ${s.sharedFree} free for the others`,
  );
  for (const lane of LANES) renderGauge(lane, view);
  renderTokens(view);
  renderBackpressure(view.backpressure);
  renderMarks(view);
}

/** One lane: a cell per slot (its own jobs, other lanes' jobs, free), the operator's reserved slots marked. */
function renderGauge(lane, view) {
  const s = view.slots;
  const v = view.lanes?.[lane] ?? { running: 0, queued: 0, deferred: 0 };
  // The operator lane may take any free slot; the others share all but the reserved ones.
  const mayUse = lane === 'operator' ? s.max : s.max - s.reservedOperator;
  const others = Math.max(0, s.used - v.running);
  const cells = [];
  for (let i = 0; i < s.max; i++) {
    const state = i < v.running ? 'own' : i < v.running + others ? 'other' : 'free';
    const reserved = i >= s.max - s.reservedOperator;
    cells.push(
      el('span', {
        class: `cell ${state}${reserved ? ' reserved' : ''}`,
        title: reserved ? 'reserved for the operator lane' : state,
      }),
    );
  }
  put(`cells-${lane}`, cells);
  const figure = byId(`slots-${lane}`);
  figure.dataset.running = String(v.running);
  figure.dataset.mayUse = String(mayUse);
  put(figure, `${v.running} / ${mayUse}`);
  const waiting = v.queued + v.deferred;
  put(`lane-note-${lane}`, waiting ? `${v.queued} queued, ${v.deferred} deferred` : 'nothing waiting');
}

/** Inline SVG: tokens in the window over time (a polyline over an area) against the budget (a dashed line). */
function renderTokens(view) {
  const t = view.tokens;
  const now = Date.now();
  const points = (view.tokenHistory ?? []).filter((p) => p.at >= now - HISTORY_MS);
  points.push({ at: now, inWindow: t.inWindow });
  // The chart's own pixel width as its coordinate space: text and strokes are never stretched.
  const chart = byId('token-chart');
  const W = Math.max(100, Math.round(chart.clientWidth || 600));
  const H = 120;
  chart.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const top = Math.max(t.budget, ...points.map((p) => p.inWindow)) * 1.1 || 1;
  const x = (at) => ((Math.max(at, now - HISTORY_MS) - (now - HISTORY_MS)) / HISTORY_MS) * W;
  const y = (v) => H - (v / top) * H;
  const line = points.map((p) => `${x(p.at).toFixed(1)},${y(p.inWindow).toFixed(1)}`);
  const first = x(points[0].at).toFixed(1);
  const minutes = [1, 2, 3, 4].map((m) => x(now - m * 60_000));
  put(
    chart,
    minutes.map((gx) => svg('line', { class: 'grid', x1: gx, x2: gx, y1: 0, y2: H })),
    svg('polygon', { class: 'area', points: [`${first},${H}`, ...line, `${W},${H}`].join(' ') }),
    svg('polyline', { class: 'line', points: line.join(' ') }),
    svg('line', { class: 'budget', x1: 0, x2: W, y1: y(t.budget), y2: y(t.budget) }),
    svg('text', { class: 'label', x: 4, y: Math.max(12, y(t.budget) - 4) }, `budget ${num(t.budget)}`),
    svg('text', { class: 'label', x: 4, y: H - 4 }, '−5 min'),
    svg('text', { class: 'label', x: W - 4, y: H - 4, 'text-anchor': 'end' }, 'now'),
  );
  const share = t.budget ? ` (${((100 * t.inWindow) / t.budget).toFixed(1)}%)` : '';
  put(
    'token-figures',
    `${num(t.inWindow)} of ${num(t.budget)} tokens in the last ${t.windowSeconds}s${share} · ${num(t.reservedByRunning)} reserved by running jobs`,
  );
}

function renderBackpressure(bp) {
  const node = byId('backpressure');
  node.dataset.on = String(bp.on);
  put(
    node,
    el(
      'span',
      { class: `badge ${bp.on ? 'status-failed' : 'status-succeeded'}` },
      bp.on ? 'backpressure ON' : 'backpressure off',
    ),
    bp.reasons.length
      ? el(
          'ul',
          {},
          bp.reasons.map((r) => el('li', {}, r)),
        )
      : null,
  );
}

/** Limited backends (until their reset), auth-broken ones (since when, why), jobs per host, jobs waiting on auth. */
function renderMarks(view) {
  const items = [];
  for (const [backend, until] of Object.entries(view.limitedBackends ?? {}))
    items.push(
      el('li', { class: 'warn' }, el('b', {}, backend), ` limited until ${clock(until)} (${relative(until)})`),
    );
  for (const [backend, m] of Object.entries(view.authBroken ?? {}))
    items.push(
      el(
        'li',
        { class: 'bad' },
        el('b', {}, backend),
        ` auth broken since ${clock(m.since)}: ${firstLine(m.message, 200)}`,
      ),
    );
  const waiting = (view.queue ?? []).filter((q) => q.waitingForAuth).map((q) => q.jobId);
  if (waiting.length)
    items.push(el('li', { class: 'bad' }, `waiting for an auth-broken backend: ${waiting.join(', ')}`));
  const hosts = Object.entries(view.runningPerHost ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (hosts.length) items.push(el('li', {}, `running per host: ${hosts.map(([h, n]) => `${h} ${n}`).join(', ')}`));
  put(
    'backend-marks',
    items.length ? items : el('li', { class: 'muted' }, 'every backend available'),
    budgetItems(view),
  );
}

/** Each budget's spend in its window (`budget all/day $12.34 of $40.00 (31%)`), HELD when spent, and who waits. */
function budgetItems(view) {
  const usd = (n) => `$${Number(n).toFixed(2)}`;
  const items = (view.budgets ?? []).map((b) =>
    el(
      'li',
      { class: b.spent ? 'bad' : undefined, 'data-testid': 'budget' },
      el('b', {}, `budget ${b.scope}/${b.per}`),
      ` ${usd(b.spentUsd)} of ${usd(b.usd)} (${b.usd ? Math.round((100 * b.spentUsd) / b.usd) : 0}%)${b.spent ? ' HELD' : ''}`,
    ),
  );
  const held = (view.queue ?? []).filter((q) => q.heldBy === 'budget').map((q) => q.jobId);
  if (held.length) items.push(el('li', { class: 'bad' }, `held by a spent budget: ${held.join(', ')}`));
  return items;
}
