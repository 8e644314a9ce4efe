// `nightshift workers [--json]`: the fleet's hosts — Temporal's pollers joined with each host's ledger heartbeat.
import { queuePollers, type QueuePoller } from '../../activities/hosts.js';
import { openLedger, type HostRecord } from '../../ledger/db.js';
import { ledgerUrl } from '../../ledger/url.js';
import { parse, printJson } from '../args.js';
import type { CliContext } from '../context.js';

const GONE_AFTER_MS = 15_000; // three missed heartbeats (one each 5 s)

export interface WorkerHostView {
  hostId: string;
  state: 'up' | 'gone';
  /** Polling the shared queue lately, as Temporal saw it (it lists a stopped poller for a few minutes). */
  lastPollAt?: number;
  /** The host's last heartbeat in the ledger, and what it said. */
  seenAt?: number;
  runningAgents?: number;
  waitingAgents?: number;
  maxAgents?: number;
  version?: string;
}

export async function workers(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(argv, {});
  const { temporal } = ctx.config;
  const pollers = await queuePollers(await ctx.client(), temporal.namespace, temporal.taskQueue);
  let records: HostRecord[] = [];
  let ledgerError: string | undefined;
  try {
    const ledger = await openLedger(ledgerUrl(ctx.config));
    records = await ledger.listHosts().finally(() => ledger.close());
  } catch (err) {
    ledgerError = (err as Error).message; // Temporal's view alone still says who polls
  }
  const hosts = joinHosts(pollers, records, Date.now());
  if (values.json) printJson({ taskQueue: temporal.taskQueue, hosts, ...(ledgerError ? { ledgerError } : {}) });
  else printHosts(hosts, ledgerError);
  return 0;
}

export function joinHosts(pollers: QueuePoller[], records: HostRecord[], now: number): WorkerHostView[] {
  const byId = new Map<string, WorkerHostView>();
  for (const p of pollers) {
    const v = byId.get(p.host) ?? { hostId: p.host, state: 'up' };
    if (p.lastPollAt !== undefined) v.lastPollAt = Math.max(v.lastPollAt ?? 0, p.lastPollAt);
    byId.set(p.host, v);
  }
  for (const r of records) {
    const { hostId, seenAt, runningAgents, waitingAgents, maxAgents, version } = r;
    const v = byId.get(hostId) ?? { hostId, state: 'gone' };
    Object.assign(v, { seenAt, runningAgents, waitingAgents, maxAgents, version });
    v.state = now - seenAt <= GONE_AFTER_MS ? 'up' : 'gone';
    byId.set(hostId, v);
  }
  return [...byId.values()].sort((a, b) => a.hostId.localeCompare(b.hostId));
}

const ago = (at: number | undefined): string =>
  at === undefined ? '-' : `${Math.round((Date.now() - at) / 1000)}s ago`;

function printHosts(hosts: WorkerHostView[], ledgerError: string | undefined): void {
  const header = ['host', 'state', 'last poll', 'last beat', 'agents', 'waiting', 'version'];
  const rows = hosts.map((h) => [
    h.hostId,
    h.state,
    ago(h.lastPollAt),
    ago(h.seenAt),
    h.maxAgents === undefined ? '-' : `${h.runningAgents ?? 0}/${h.maxAgents}`,
    String(h.waitingAgents ?? '-'),
    h.version ?? '-',
  ]);
  const table = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  const out = table.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  if (hosts.length === 0) out.push('(no worker host has polled this queue lately)');
  if (ledgerError) out.push(`ledger not read (${ledgerError}): agents and versions unknown`);
  process.stdout.write(out.join('\n') + '\n');
}
