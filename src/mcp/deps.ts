// What the MCP tools reach: the config, one Temporal client, the ledger (stats), and the job that mounted the server.
import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema.js';
import type { LedgerHandle } from '../ledger/handle.js';

export interface McpDeps {
  config: Config;
  client: Client;
  ledger: LedgerHandle;
  /** NIGHTSHIFT_JOB_ID of the agent that runs this server: jobs it submits carry it as their parent. */
  parentJobId?: string;
}
