// `nightshift mcp`: the MCP server on stdio. Logs go to stderr (stdout carries the protocol).
import { lazyClient } from '../../client/connect.js';
import { ledgerHandle } from '../../ledger/handle.js';
import { ledgerUrl } from '../../ledger/url.js';
import { serveStdio } from '../../mcp/server.js';
import { parse } from '../args.js';
import type { CliContext } from '../context.js';

export async function mcp(argv: string[], ctx: CliContext): Promise<number> {
  parse(argv, {});
  // The agent's `initialize` is answered at once; the engine is reached on the first tool call.
  const client = lazyClient(ctx.config);
  const ledger = ledgerHandle(ledgerUrl(ctx.config));
  const parentJobId = process.env['NIGHTSHIFT_JOB_ID'];
  try {
    await serveStdio({ config: ctx.config, client, ledger, ...(parentJobId ? { parentJobId } : {}) });
  } finally {
    await ledger.close();
    await client.connection.close();
  }
  return 0;
}
