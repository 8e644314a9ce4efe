// What every route of the HTTP server reaches: the config, one Temporal client, the ledger and the event hub.
import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import type { LedgerHandle } from '../ledger/handle.js';
import type { EventHub } from './events.js';

export interface HttpDeps {
  config: Config;
  client: Client;
  /** Opened on first use (a server with no ledger still serves everything else). */
  ledger: LedgerHandle;
  events: EventHub;
}
