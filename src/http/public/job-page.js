// The job page (`#/job/<id>`): status, prompt, live agent counts, timeline, diff, check output, answer, Cancel.
/* global document -- browser globals: eslint.config.js sets none for plain .js files */
import { api } from './api.js';
import { byId, clock, duration, el, liveWords, num, put } from './dom.js';

const MAX_DIFF_LINES = 3000;
let current; // the job shown, or undefined on the overview
let seq = 0; // a newer load wins over an older one still in flight
const path = (id, rest = '') => `/api/jobs/${encodeURIComponent(id)}${rest}`;

export function openJob(id) {
  current = id;
  put('job-id', id);
  put('job-status', 'loading…');
  for (const part of [
    'job-facts',
    'job-live',
    'job-prompt',
    'job-timeline',
    'job-diff',
    'job-check',
    'job-final',
    'job-note',
  ])
    put(part);
  byId('cancel').hidden = true;
  return refresh();
}

export function closeJob() {
  current = undefined;
  seq++;
}

/** Events of the job shown: live counts in place; a start or an end reloads the page's data. */
export function jobEvent(type, data) {
  if (!current || data.jobId !== current) return;
  if (type === 'job.progress') {
    if (data.live) put('job-live', liveWords(data.live));
    const step = document.getElementById('job-step');
    if (data.step && step) put(step, data.step);
  } else void refresh();
}

/** The job first (status and Cancel must not wait on the rest), then its timeline, then — once it ended — its diff. */
async function refresh() {
  const id = current;
  const mine = ++seq;
  const stale = () => mine !== seq;
  const history = api(path(id, '/history')).then(
    (h) => !stale() && put('job-timeline', timeline(h.timeline ?? [])),
    (err) => !stale() && put('job-timeline', el('li', { class: 'muted' }, err.message)),
  );
  let job;
  try {
    job = await api(path(id));
  } catch (err) {
    if (stale()) return;
    put('job-status', 'unknown');
    put('job-note', err.message);
    return;
  }
  if (stale()) return;
  const running = renderJob(job);
  // The diff is the commit's, made when the job ends: asked of a running job, the API would wait for the end.
  if (running) put('job-diff', 'the commit is made when the job ends');
  else
    await api(path(id, '/diff')).then(
      (d) => !stale() && renderDiff(d.diff),
      (err) => !stale() && put('job-diff', err.status === 404 ? err.message : `diff: ${err.message}`),
    );
  await history;
}

function renderJob(job) {
  const r = job.result ?? job.progress?.result;
  const p = job.progress ?? {};
  const running = job.workflowStatus === 'RUNNING' && !r;
  const status =
    r?.status ?? (running ? (p.status ?? 'running') : String(job.workflowStatus ?? 'unknown').toLowerCase());
  const node = byId('job-status');
  node.dataset.status = status;
  node.className = `badge status-${status.replace(/[^a-z_]/g, '')}`;
  put(node, status);
  const fact = (k, v) => (v === undefined || v === null || v === '' ? null : [el('dt', {}, k), el('dd', {}, v)]);
  put(
    'job-facts',
    fact('step', el('span', { id: 'job-step' }, running ? p.step : 'done')),
    fact('backend', r?.backend ?? p.backend),
    fact('kind', r?.kind ?? p.kind),
    fact('lane', r?.lane ?? p.lane),
    fact('host', r?.host ?? p.host),
    fact('queued', p.queuedAt ? clock(p.queuedAt) : undefined),
    fact(
      'lease wait',
      r ? duration(r.leaseWaitMs) : p.leaseGrantedAt ? duration(p.leaseGrantedAt - p.queuedAt) : undefined,
    ),
    r && fact('duration', duration(r.durationMs)),
    r && fact('attempts', r.attempts),
    r &&
      fact('tokens', `in ${num(r.tokens?.input)} · out ${num(r.tokens?.output)} · cached ${num(r.tokens?.cacheRead)}`),
    r?.costUsd !== undefined && fact('cost', `$${r.costUsd.toFixed(4)}`),
    r?.commit &&
      fact(
        'commit',
        `${r.commit.sha.slice(0, 12)} on ${r.commit.branch} (+${r.commit.insertions} −${r.commit.deletions})`,
      ),
    r?.failureClass && fact('failure', `${r.failureClass}: ${r.failureMessage ?? ''}`),
  );
  put('job-live', running ? liveWords(job.live) || 'waiting for the agent…' : '');
  put('job-prompt', job.prompt ?? '');
  put('job-final', r?.finalText || (r ? '(no final text)' : '…'));
  const c = r?.check;
  put(
    'job-check',
    c
      ? `${c.command.join(' ')} → exit ${c.exitCode} (${c.passed ? 'passed' : 'failed'})\n\n${c.outputTail}`
      : 'no check',
  );
  const cancel = byId('cancel');
  if (!running) put('job-note'); // "cancel requested…" is over
  cancel.hidden = !running;
  cancel.disabled = false;
  return running;
}

const timeline = (entries) =>
  entries.length
    ? entries.map((e) => el('li', {}, el('span', { class: 'muted num' }, `+${e.offsetSeconds.toFixed(1)}s `), e.what))
    : el('li', { class: 'muted' }, 'no events yet');

function renderDiff(text) {
  const lines = String(text ?? '').split('\n');
  const cls = (l) =>
    l.startsWith('+') && !l.startsWith('+++')
      ? 'add'
      : l.startsWith('-') && !l.startsWith('---')
        ? 'del'
        : l.startsWith('@@')
          ? 'hunk'
          : '';
  const shown = lines.slice(0, MAX_DIFF_LINES).map((l) => el('span', { class: cls(l) }, `${l}\n`));
  put('job-diff', shown, lines.length > MAX_DIFF_LINES ? `… ${lines.length - MAX_DIFF_LINES} more lines` : null);
}

/** Cancel: POST, then the job's `job.ended` event shows it cancelled. */
export async function cancelCurrent() {
  if (!current) return;
  const button = byId('cancel');
  button.disabled = true;
  try {
    await api(path(current, '/cancel'), { method: 'POST' });
    put('job-note', 'cancel requested…');
  } catch (err) {
    put('job-note', `cancel failed: ${err.message}`);
    button.disabled = false;
  }
}
