import type { Client } from '@temporalio/client';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { connectClient } from '../client/connect.js';

export interface CliContext {
  config: Config;
  client(): Promise<Client>;
}

export function cliContext(): CliContext {
  const config = loadConfig();
  let client: Promise<Client> | undefined;
  return { config, client: () => (client ??= connectClient(config)) };
}
