// What every activity closes over: the worker's client and config (no globals).
import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema.js';

export interface ActivityDeps {
  client: Client;
  config: Config;
}
