// The fleet view: each worker host's latest heartbeat (version, agent slots, when it started and was last seen).
import type { Queryable } from './sql.js';

/** One worker host as it last reported itself; times are epoch ms. */
export interface HostRecord {
  hostId: string;
  /** The nightshift version the host runs. */
  version: string;
  maxAgents: number;
  runningAgents: number;
  waitingAgents: number;
  /** When the host's worker process started. */
  startedAt: number;
  /** Its latest heartbeat. */
  seenAt: number;
}

/** Inserts the host or replaces its row: a heartbeat. */
export async function upsertHost(db: Queryable, h: HostRecord): Promise<void> {
  await db.query(
    `INSERT INTO ledger_hosts (host_id, version, max_agents, running_agents, waiting_agents, started_at, seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (host_id) DO UPDATE SET version = EXCLUDED.version, max_agents = EXCLUDED.max_agents,
       running_agents = EXCLUDED.running_agents, waiting_agents = EXCLUDED.waiting_agents,
       started_at = EXCLUDED.started_at, seen_at = EXCLUDED.seen_at`,
    [h.hostId, h.version, h.maxAgents, h.runningAgents, h.waitingAgents, new Date(h.startedAt), new Date(h.seenAt)],
  );
}

interface HostRow {
  host_id: string;
  version: string;
  max_agents: number;
  running_agents: number;
  waiting_agents: number;
  started_at: Date;
  seen_at: Date;
}

/** Every host that ever reported, by host id (the caller judges which are gone by `seenAt`). */
export async function listHosts(db: Queryable): Promise<HostRecord[]> {
  const { rows } = await db.query<HostRow>('SELECT * FROM ledger_hosts ORDER BY host_id COLLATE "C"');
  return rows.map((r) => ({
    hostId: r.host_id,
    version: r.version,
    maxAgents: r.max_agents,
    runningAgents: r.running_agents,
    waitingAgents: r.waiting_agents,
    startedAt: r.started_at.getTime(),
    seenAt: r.seen_at.getTime(),
  }));
}
