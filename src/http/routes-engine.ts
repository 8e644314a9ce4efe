// The engine's state for the operator: capacity (with the token window's recent history), stats from the ledger,
// warm sessions, chains, compares.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { chainStatus } from '../client/chains.js';
import { compareStatus } from '../client/compares.js';
import { runningPerHost } from '../client/job-live.js';
import { capacityView } from '../client/jobs.js';
import { listSessions } from '../client/sessions.js';
import { GROUP_BY, parseSince } from '../ledger/stats.js';
import type { HttpDeps } from './deps.js';
import { badInput } from './errors.js';

const StatsQuery = z.strictObject({
  by: z.enum(GROUP_BY).default('backend'),
  since: z
    .string()
    .refine((s) => parseSince(s) !== undefined, 'a duration like 30m, 24h or 7d')
    .optional(),
});

const idParam = (params: unknown): string => (params as { id: string }).id;

export function registerEngineRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { client, config } = deps;
  app.get('/api/capacity', async () => {
    const view = await capacityView(client, config);
    const hosts = await runningPerHost(
      client,
      view.holders.map((h) => h.jobId),
    );
    return { ...view, runningPerHost: hosts, tokenHistory: deps.events.tokenHistory() };
  });

  app.get('/api/stats', async (req) => {
    const parsed = StatsQuery.safeParse(req.query);
    if (!parsed.success) throw badInput(parsed.error, req.query);
    const { by, since } = parsed.data;
    const ledger = await deps.ledger.get();
    return ledger.stats(by, since ? Date.now() - parseSince(since)! : undefined);
  });

  app.get('/api/sessions', async () => listSessions(client, config));
  app.get('/api/chains/:id', async (req) => chainStatus(client, idParam(req.params)));
  app.get('/api/compares/:id', async (req) => compareStatus(client, idParam(req.params)));
}
