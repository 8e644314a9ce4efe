// The dashboard's entry: state from the API and the event stream, rendered into the server's HTML shell.
// Why no framework: plain ES modules keep it dependency-light, work offline (no CDN), and need nothing built —
// the server sends these files as they are, and a few hundred lines of DOM code are all the page needs.
/* global window, location, performance, setTimeout, clearTimeout, setInterval -- browser globals: eslint.config.js sets none for plain .js files */
import { api, connectEvents } from './api.js';
import { askEnded, initAsk } from './ask.js';
import { renderCapacity } from './capacity.js';
import { byId, el, put } from './dom.js';
import { cancelCurrent, closeJob, jobEvent, openJob } from './job-page.js';
import { renderQueue, renderRecent, renderRunning, renderStats } from './lists.js';

// `ended`: jobs seen ending, so a capacity view or progress event older than the end cannot bring one back.
const state = {
  capacity: undefined,
  running: new Map(),
  ended: new Set(),
  recent: [],
  tokenHistory: [],
};
// For tests and the bench: when each job's `job.ended` reached this page and left the server (epoch ms), the
// events seen, and when the first capacity view was on the page (performance.now()).
const probe = (window.nightshift = { ended: {}, events: 0, firstDataAt: undefined });

// Each source's last failure, shown until it loads again; a failed load is retried on the next tick.
const failures = new Map();

function report(what, error, retry) {
  if (error) failures.set(what, { error, retry });
  else if (!failures.delete(what)) return;
  const banner = byId('banner');
  banner.hidden = failures.size === 0;
  const why = (e) =>
    e.status === 401
      ? 'unauthorized: open the login URL that `nightshift dev` or `serve` printed (/login#token=…)'
      : e.message;
  put(
    banner,
    [...failures].map(([source, f]) => el('div', {}, `${source}: ${why(f.error)}`)),
  );
}

/** Coalesces bursts (twenty jobs ending at once) into one request. */
function debounced(fn, ms) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}
function loader(what, path, apply) {
  const load = () =>
    api(path).then(
      (data) => {
        apply(data);
        report(what);
      },
      (err) => report(what, err, load),
    );
  return load;
}
const loadRecent = loader('recent results', '/api/jobs?limit=20', (d) => renderRecent((state.recent = d.jobs ?? [])));
const loadStats = loader('backend figures', '/api/stats?by=backend&since=7d', renderStats);
const loadCapacity = loader('capacity', '/api/capacity', (c) => setCapacity(c));
const refreshRecent = debounced(loadRecent, 250);
const refreshStats = debounced(loadStats, 1000);

/** The token chart's samples: the server's history when it sends one, else this page's own from each view. */
function sampleTokens(view) {
  const now = Date.now();
  if (view.tokenHistory) state.tokenHistory = view.tokenHistory;
  else if (view.tokens) state.tokenHistory.push({ at: view.at ?? now, inWindow: view.tokens.inWindow });
  state.tokenHistory = state.tokenHistory.filter((p) => p.at >= now - 5 * 60_000);
}

function setCapacity(view, fresh = true) {
  state.capacity = view;
  if (fresh) sampleTokens(view);
  renderCapacity({ ...view, tokenHistory: state.tokenHistory });
  probe.firstDataAt ??= performance.now();
  renderQueue(view.queue ?? []);
  // A holder the events have not named yet (or that started before this page connected) still shows as running.
  for (const h of view.holders ?? []) {
    const known = state.running.get(h.jobId);
    if (known) known.since = h.grantedAt;
    else if (!state.ended.has(h.jobId))
      state.running.set(h.jobId, { jobId: h.jobId, lane: h.lane, kind: h.kind, since: h.grantedAt });
  }
  renderRunning(state.running);
}

function track(data, extra = {}) {
  if (state.ended.has(data.jobId)) return;
  const prev = state.running.get(data.jobId) ?? { since: Date.now() };
  state.running.set(data.jobId, { ...prev, ...data, ...extra });
  renderRunning(state.running);
}

function ended(data) {
  probe.ended[data.jobId] = { page: Date.now(), server: data.at };
  state.ended.add(data.jobId);
  // A tab left open for weeks: forget the oldest ends (a Set iterates in insertion order).
  for (const old of state.ended) {
    if (state.ended.size <= 5000) break;
    state.ended.delete(old);
    delete probe.ended[old];
  }
  state.running.delete(data.jobId);
  renderRunning(state.running);
  // The row shows its end at once; the refetch brings its duration.
  const row = state.recent.find((j) => j.jobId === data.jobId);
  if (row) {
    row.status = data.status;
    renderRecent(state.recent);
  }
  refreshRecent();
  refreshStats();
  void askEnded(data);
}

const handlers = {
  hello(d) {
    state.running = new Map((d.running ?? []).map((j) => [j.jobId, { since: Date.now(), ...j }]));
    if (d.capacity) setCapacity(d.tokenHistory ? { ...d.capacity, tokenHistory: d.tokenHistory } : d.capacity);
    renderRunning(state.running);
    refreshRecent();
  },
  capacity: setCapacity,
  'job.queued': refreshRecent,
  'job.started': (d) => {
    track(d);
    refreshRecent();
  },
  'job.progress': (d) => track(d),
  'job.ended': ended,
  'backend.limited': loadCapacity,
  'backend.authBroken': loadCapacity,
};
for (const [type, handle] of Object.entries(handlers))
  handlers[type] = (d) => {
    probe.events++;
    handle(d);
    jobEvent(type, d);
  };

function route() {
  const m = /^#\/job\/(.+)$/.exec(location.hash);
  byId('overview').hidden = Boolean(m);
  byId('job-page').hidden = !m;
  if (m) void openJob(decodeURIComponent(m[1]));
  else closeJob();
}

function setConnection(s) {
  const node = byId('conn');
  node.dataset.state = s;
  put(node, s === 'live' ? 'live' : s === 'closed' ? 'disconnected' : 'reconnecting…');
  report('live updates', s === 'closed' ? new Error('the event stream closed: reload the page') : undefined);
}

initAsk((err) => report('ask', err));
byId('cancel').addEventListener('click', () => void cancelCurrent());
window.addEventListener('hashchange', route);
route();
connectEvents(handlers, setConnection);
void Promise.all([loadCapacity(), loadRecent(), loadStats()]);
// Relative times and the token chart's five-minute axis move on without events; failed loads try again.
setInterval(() => {
  if (state.capacity) setCapacity(state.capacity, false);
  for (const f of failures.values()) f.retry?.();
}, 5000);
