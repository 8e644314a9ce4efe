// Each notification as a receiver gets it: the generic JSON (the event object itself) or Slack-compatible `{text}`.
import type { Notification } from '../protocol/notify.js';

export type WebhookFormat = 'json' | 'slack';

export function bodyOf(n: Notification, format: WebhookFormat): Record<string, unknown> {
  return format === 'slack' ? { text: slackText(n) } : { ...n };
}

const ICON: Record<string, string> = {
  succeeded: ':white_check_mark:',
  failed: ':x:',
  no_op: ':white_circle:',
  cancelled: ':no_entry_sign:',
};

/** One line (the digest: a few), plain enough for Mattermost and Discord's Slack-compatible endpoints too. */
export function slackText(n: Notification): string {
  switch (n.event) {
    case 'job.ended': {
      const why = n.failureClass ? ` (${n.failureClass}${n.failureMessage ? `: ${n.failureMessage}` : ''})` : '';
      const parts = [
        n.backend,
        n.lane,
        duration(n.durationMs),
        `${thousands(n.tokens.input + n.tokens.output)} tokens`,
      ];
      if (n.costUsd !== undefined) parts.push(usd(n.costUsd));
      if (n.commit) parts.push(`${n.commit.branch} @ ${n.commit.sha.slice(0, 8)}`);
      return `${ICON[n.status] ?? ''} nightshift ${n.jobId} ${n.status}${why} · ${parts.join(' · ')}`.trim();
    }
    case 'backend.limited':
      return `:hourglass: nightshift: backend ${n.backend} is rate-limited until ${n.until}; new jobs skip it`;
    case 'backend.authBroken':
      return `:lock: nightshift: backend ${n.backend} auth is broken since ${n.since}: ${n.message} (fix it, then \`nightshift backends check\`)`;
    case 'backpressure':
      return `:warning: nightshift: backpressure on for ${n.minutes} min (since ${n.since}): ${n.reasons.join('; ')}`;
    case 'budget':
      return `:money_with_wings: nightshift: budget ${n.scope}/${n.per} spent (${usd(n.spentUsd)} of ${usd(n.usd)}) since ${n.since}; new background jobs wait for its window`;
    case 'digest':
      return digestText(n);
  }
}

function digestText(n: Extract<Notification, { event: 'digest' }>): string {
  const lines = [
    `:bar_chart: nightshift digest ${n.since} → ${n.until}`,
    `${n.jobs} jobs: ${n.succeeded} succeeded, ${n.failed} failed, ${n.noOp} no_op, ${n.cancelled} cancelled`,
    `success rate ${percent(n.successRate)}, revised ${percent(n.revisedRate)}; ` +
      `${thousands(n.tokensIn + n.tokensOut)} tokens, ${usd(n.costUsd)}`,
  ];
  if (n.unlandedCount > 0) {
    const shown = n.unlanded.map((u) => `${u.jobId} (${u.branch}${u.landing ? `, ${u.landing}` : ''})`);
    const more = n.unlandedCount > shown.length ? ` and ${n.unlandedCount - shown.length} more` : '';
    lines.push(`${n.unlandedCount} waiting to be landed: ${shown.join(', ')}${more}`);
  }
  return lines.join('\n');
}

const percent = (r: number | null): string => (r === null ? '–' : `${Math.round(r * 1000) / 10}%`);
const usd = (n: number): string => `$${n.toFixed(2)}`;
const thousands = (n: number): string => n.toLocaleString('en-US');

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}
