// `dev` (embedded Temporal dev server + worker) and `worker` (worker only), both in the foreground.
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../../config/schema.js';
import { logger } from '../../support/logger.js';
import { addressOf, connectClient } from '../../client/connect.js';
import { startDevServer, type DevServer } from '../../dev/dev-server.js';
import type { LedgerServer } from '../../dev/ledger-server.js';
import { ledgerUrl } from '../../ledger/url.js';
import { installSdkLogger } from '../../worker/sdk-logger.js';
import { createWorker } from '../../worker/worker.js';
import { parse } from '../args.js';
import { HTTP_OPTIONS, loginUrl, startHttp, withHttpFlags } from './serve-http.js';
import type { CliContext } from '../context.js';

/** Runs a worker until SIGINT/SIGTERM; then lets running activities end and returns. */
export async function runWorker(config: Config, onReady?: () => unknown): Promise<void> {
  const log = logger('worker');
  installSdkLogger(config.metrics.workerBindAddress);
  const client = await connectClient(config); // fails fast, with how to start the engine
  const connection = await NativeConnection.connect({ address: addressOf(config) });
  const worker = await createWorker({ config, client, connection });
  const stop = (): void => {
    log.info('stopping worker');
    worker.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  log.info({ address: addressOf(config), taskQueue: config.temporal.taskQueue }, 'worker running');
  try {
    const running = worker.run();
    await onReady?.();
    await running;
  } finally {
    await connection.close();
    await client.connection.close();
  }
}

/** The embedded dev server (unless TEMPORAL_ADDRESS points elsewhere), for `dev` and the demo. */
export async function maybeStartDevServer(config: Config): Promise<DevServer | undefined> {
  if (config.temporal.address) return undefined;
  const server = await startDevServer(config.dataDir, config.temporal.devPort, config.temporal.devUiPort);
  logger('dev').info(
    { address: server.address, ui: server.uiUrl, db: `${config.dataDir}/temporal.db` },
    'temporal dev server up',
  );
  return server;
}

/** The embedded ledger (unless ledger.url names a PostgreSQL), for `dev`: its files under the data dir. */
export async function maybeStartLedgerServer(config: Config): Promise<LedgerServer | undefined> {
  if (config.ledger.url) return undefined;
  const dir = join(config.dataDir, 'ledger', 'pglite');
  const { startLedgerServer } = await import('../../dev/ledger-server.js'); // on use: every CLI start loads this file
  const server = await startLedgerServer({ dir, port: config.ledger.devPort });
  logger('dev').info({ url: server.url, dir }, 'ledger up');
  return server;
}

/** The JSON-lines ledger of earlier versions goes into the database once; a failure is logged, `dev` goes on. */
async function importOldLedger(config: Config): Promise<void> {
  const log = logger('dev');
  try {
    const [{ openLedger }, { importJsonLines }] = await Promise.all([
      import('../../ledger/db.js'),
      import('../../ledger/import.js'),
    ]);
    const ledger = await openLedger(ledgerUrl(config));
    try {
      const r = await importJsonLines(ledger, config.dataDir);
      if (r.file && !r.already) log.info({ ...r, ledger: ledger.url }, 'imported the JSON-lines ledger');
    } finally {
      await ledger.close();
    }
  } catch (err) {
    log.warn({ error: err instanceof Error ? err.message : String(err) }, 'the JSON-lines ledger was not imported');
  }
}

export async function dev(argv: string[], ctx: CliContext): Promise<number> {
  const config = withHttpFlags(ctx.config, parse(argv, HTTP_OPTIONS).values);
  const ledger = await maybeStartLedgerServer(config);
  try {
    await importOldLedger(config);
    const server = await maybeStartDevServer(config);
    let http: Awaited<ReturnType<typeof startHttp>> | undefined;
    try {
      await runWorker(config, async () => {
        // The worker runs either way: a dashboard that cannot start (its port taken) is a warning, not a dead dev.
        http = await startHttp(config).catch((err: unknown) => {
          logger('dev').warn({ error: err instanceof Error ? err.message : String(err) }, 'dashboard not started');
          return undefined;
        });
        // dev is the operator's own terminal: the login URL carries the token, printed this once.
        const dash = http ? `; dashboard ${loginUrl(http, true)}` : '';
        process.stderr.write(
          `nightshift dev: worker on ${addressOf(config)}${server ? `, UI ${server.uiUrl}` : ''}${ledger ? `, ledger ${ledger.url}` : ''}${dash}; Ctrl-C stops all\n`,
        );
      });
    } finally {
      await http?.close();
      await server?.stop();
    }
  } finally {
    await ledger?.stop();
  }
  return 0;
}

export async function worker(argv: string[], ctx: CliContext): Promise<number> {
  parse(argv, {});
  await runWorker(ctx.config);
  return 0;
}
