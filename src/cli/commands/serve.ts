// `dev` (embedded Temporal dev server + worker) and `worker` (worker only), both in the foreground.
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../../config/schema.js';
import { logger } from '../../support/logger.js';
import { addressOf, connectClient } from '../../client/connect.js';
import { startDevServer, type DevServer } from '../../dev/dev-server.js';
import { installSdkLogger } from '../../worker/sdk-logger.js';
import { createWorker } from '../../worker/worker.js';
import { parse } from '../args.js';
import type { CliContext } from '../context.js';

/** Runs a worker until SIGINT/SIGTERM; then lets running activities end and returns. */
export async function runWorker(config: Config, onReady?: () => void): Promise<void> {
  const log = logger('worker');
  installSdkLogger();
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
  onReady?.();
  try {
    await worker.run();
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

export async function dev(argv: string[], ctx: CliContext): Promise<number> {
  parse(argv, {});
  const server = await maybeStartDevServer(ctx.config);
  try {
    await runWorker(ctx.config, () =>
      process.stderr.write(
        `nightshift dev: worker on ${addressOf(ctx.config)}${server ? `, UI ${server.uiUrl}` : ''}; Ctrl-C stops both\n`,
      ),
    );
  } finally {
    await server?.stop();
  }
  return 0;
}

export async function worker(argv: string[], ctx: CliContext): Promise<number> {
  parse(argv, {});
  await runWorker(ctx.config);
  return 0;
}
