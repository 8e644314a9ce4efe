// One way to reach the engine, failing fast with what to do when it is not there.
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/schema.js';

export const addressOf = (config: Config): string => config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`;

/** The Temporal server did not answer: the CLI says how to start one and exits 3. */
export class EngineUnreachableError extends Error {
  override name = 'EngineUnreachableError';
  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(
      `cannot reach the Temporal server at ${address}: start it with \`nightshift dev\`, or set TEMPORAL_ADDRESS to a running one`,
      { cause },
    );
  }
}

/** A person is waiting: 2 s, not the SDK's 10 s, before saying the engine is not running. */
const CONNECT_TIMEOUT_MS = 2000;

export async function connectClient(config: Config): Promise<Client> {
  const address = addressOf(config);
  try {
    const connection = await Connection.connect({ address, connectTimeout: CONNECT_TIMEOUT_MS });
    return new Client({ connection, namespace: config.temporal.namespace });
  } catch (err) {
    throw new EngineUnreachableError(address, err);
  }
}

/** A client that connects on its first call: a server that must answer `initialize` at once (MCP) starts without it. */
export function lazyClient(config: Config): Client {
  const connection = Connection.lazy({ address: addressOf(config) });
  return new Client({ connection, namespace: config.temporal.namespace });
}
