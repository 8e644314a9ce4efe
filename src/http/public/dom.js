// DOM and number helpers. Text goes in as text nodes only (never innerHTML), so data can never become markup.
/* global document, Node -- browser globals: eslint.config.js sets none for plain .js files */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** `el('td', { class: 'num', 'data-testid': 'x' }, 'text', child)`: attributes via setAttribute, children as nodes. */
export function el(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

export function svg(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(node, attrs, children) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Replaces a node's children (an element or its id). */
export function put(target, ...children) {
  const node = typeof target === 'string' ? byId(target) : target;
  node.replaceChildren();
  return fill(node, {}, children);
}

export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`dashboard: no #${id} in the page`);
  return node;
}

/** 1234 → "1.2k", 2500000 → "2.5M". */
export function num(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${(n / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(abs >= 1e4 ? 0 : 1)}k`;
  return String(Math.round(n));
}

export const pct = (r) => (typeof r === 'number' ? `${Math.round(r * 100)}%` : '—');

/** Milliseconds as "850ms", "12.3s", "4m 05s", "2h 10m". */
export function duration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** An instant (epoch ms or ISO) as local time, with the date when it is not today. */
export function clock(at) {
  if (at === undefined || at === null) return '—';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const today = d.toDateString() === new Date().toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** "in 3m 10s" / "2m 05s ago" relative to now. */
export function relative(at) {
  const ms = new Date(at).getTime() - Date.now();
  return ms >= 0 ? `in ${duration(ms)}` : `${duration(-ms)} ago`;
}

/** A status word as a coloured badge. */
export const badge = (status, testid) =>
  el('span', { class: `badge status-${String(status).replace(/[^a-z_]/gi, '')}`, 'data-testid': testid }, status);

export const firstLine = (text, max = 120) => {
  const line = String(text ?? '').split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** Agent heartbeat in words, as the CLI prints it: "attempt 1: 3 turns, 5 tool calls, tokens in 1.2k out 300". */
export function liveWords(live) {
  if (!live || typeof live !== 'object') return '';
  if (live.heldBy === 'budget') {
    const spent = (live.budgets ?? []).map(
      (b) => `${b.scope}/${b.per} ($${b.spentUsd.toFixed(2)} of $${b.usd.toFixed(2)})`,
    );
    return `waiting for budget ${spent.join(', ') || '(spent)'}; granted when its window moves`;
  }
  const tokens = live.tokens ? `, tokens in ${num(live.tokens.input ?? 0)} out ${num(live.tokens.output ?? 0)}` : '';
  return `attempt ${live.attempt ?? 1}: ${live.turns ?? 0} turns, ${live.toolCalls ?? 0} tool calls${tokens}`;
}

export const jobLink = (jobId) => el('a', { href: `#/job/${encodeURIComponent(jobId)}` }, jobId);
