// `nightshift serve`: the HTTP API, dashboard and /metrics on their own (any host of a fleet, or a compose service);
// `nightshift dev` serves them beside its worker.
import { connectClient } from '../../client/connect.js';
import type { Config } from '../../config/schema.js';
import { tokenFile } from '../../http/auth.js';
import { startHttpServer, type HttpServer } from '../../http/server.js';
import { logger } from '../../support/logger.js';
import { intFlag, parse } from '../args.js';
import type { CliContext } from '../context.js';

export const HTTP_OPTIONS = { host: { type: 'string' }, port: { type: 'string' } } as const;

/** `--host` / `--port` over the config's `http.host` / `http.port`. */
export function withHttpFlags(config: Config, v: { host?: string; port?: string }): Config {
  const port = intFlag('port', v.port);
  return {
    ...config,
    http: { ...config.http, ...(v.host ? { host: v.host } : {}), ...(port !== undefined ? { port } : {}) },
  };
}

/** The dashboard's address: with the token in the fragment (never sent to the server, so never in a log) when shown. */
export function loginUrl(http: Pick<HttpServer, 'url' | 'token'>, show: boolean): string {
  if (!http.token) return `${http.url}/`;
  return `${http.url}/login#token=${show ? encodeURIComponent(http.token) : '<token>'}`;
}

/** Starts the server; a token generated now is printed this once (stderr), never logged. */
export async function startHttp(config: Config): Promise<HttpServer> {
  const client = await connectClient(config);
  const http = await startHttpServer({ config, client }).catch(async (err: unknown) => {
    await client.connection.close();
    throw err;
  });
  if (http.generatedToken)
    process.stderr.write(
      `nightshift: generated the API token (kept in ${tokenFile(config)}, mode 0600; shown this once):\n  ${http.token}\n`,
    );
  logger('http').info(
    { url: http.url, auth: http.token ? 'token' : 'none (http.token: "none", loopback)' },
    'http api up',
  );
  return {
    ...http,
    async close() {
      await http.close();
      await client.connection.close();
    },
  };
}

export async function serve(argv: string[], ctx: CliContext): Promise<number> {
  const config = withHttpFlags(ctx.config, parse(argv, HTTP_OPTIONS).values);
  const http = await startHttp(config);
  // The token itself: printed above when generated now; else http.token, or the one kept in the data dir.
  const dash = `${loginUrl(http, false)}${http.token ? ` (<token>: http.token or ${tokenFile(config)})` : ''}`;
  process.stderr.write(
    `nightshift serve: API ${http.url}/api, dashboard ${dash}, metrics ${http.url}/metrics; Ctrl-C stops\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await http.close();
  return 0;
}
