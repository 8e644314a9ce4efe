import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/schema.js';

export const addressOf = (config: Config): string => config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`;

export async function connectClient(config: Config): Promise<Client> {
  const connection = await Connection.connect({ address: addressOf(config) });
  return new Client({ connection, namespace: config.temporal.namespace });
}
