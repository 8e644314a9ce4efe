// The HTTP API, the live dashboard and /metrics in one Fastify server: served by `nightshift dev` and
// `nightshift serve`, a client of the engine like the CLI (any host of a fleet can run it).
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { ledgerHandle, type LedgerHandle } from '../ledger/handle.js';
import { ledgerUrl } from '../ledger/url.js';
import { UsageError } from '../support/usage-error.js';
import { credentialsOf, resolveToken, type Credentials } from './auth.js';
import { registerDashboard } from './dashboard.js';
import type { HttpDeps } from './deps.js';
import { errorHandler } from './errors.js';
import { guardHook } from './guard.js';
import { registerLogin } from './login.js';
import { createEventHub } from './events.js';
import { registerMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { registerEngineRoutes } from './routes-engine.js';
import { registerJobRoutes } from './routes-jobs.js';
import { registerEvents } from './sse.js';

export function buildApp(deps: HttpDeps, creds: Credentials): FastifyInstance {
  // forceCloseConnections: open event streams must not hold up a shutdown.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(
    (req, reply) => void reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );
  // onRequest runs after routing: the guard sees the matched route (public? which scope?) of the decoded path.
  app.addHook('onRequest', guardHook(deps.config, creds));
  app.get('/api/openapi.json', { config: { scope: 'submit' } }, async () => openApiDocument());
  registerLogin(app, creds);
  registerJobRoutes(app, deps);
  registerEngineRoutes(app, deps);
  registerEvents(app, deps);
  registerMetrics(app, deps);
  registerDashboard(app, deps);
  return app;
}

export interface HttpServer {
  url: string;
  /** The operator token in force (undefined: `http.token: "none"` on loopback). */
  token?: string;
  /** True when this start generated the token: print it once. */
  generatedToken: boolean;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startHttpServer(opts: {
  config: Config;
  client: Client;
  ledger?: LedgerHandle;
}): Promise<HttpServer> {
  const { config, client } = opts;
  const { token, generated } = resolveToken(config); // "none" on a non-loopback host: a UsageError naming it
  const ledger = opts.ledger ?? ledgerHandle(ledgerUrl(config));
  const events = createEventHub(client, config);
  const app = buildApp({ config, client, ledger, events }, credentialsOf(config, token));
  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (err) {
    await events.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw new UsageError(`http.port: cannot listen on ${config.http.host}:${config.http.port} (${code})`);
    throw err;
  }
  const { port } = app.server.address() as { port: number };
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
  return {
    url: `http://${host}:${port}`,
    ...(token ? { token } : {}),
    generatedToken: generated,
    app,
    async close() {
      await events.close(); // an in-flight poll ends before the caller closes its client
      await app.close();
      if (!opts.ledger) await ledger.close();
    },
  };
}
