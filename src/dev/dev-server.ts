// `temporal server start-dev` with a SQLite file under the data dir and our search attributes.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { execa } from 'execa';
import { ALL_SEARCH_ATTRIBUTES } from '../protocol/search-attributes.js';
import { requireTemporalCli } from './temporal-cli.js';

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ServerProcess;
  stop(): Promise<void>;
}

export function devServerArgs(dbFile: string, port: number, uiPort: number): string[] {
  const args = ['server', 'start-dev', '--db-filename', dbFile, '--port', String(port), '--ui-port', String(uiPort)];
  args.push('--log-level', 'warn', '--sqlite-pragma', 'journal_mode=WAL');
  for (const sa of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${sa.name}=Keyword`);
  return args;
}

export async function startDevServer(dataDir: string, port: number, uiPort: number): Promise<DevServer> {
  mkdirSync(dataDir, { recursive: true });
  const cli = requireTemporalCli();
  const child = spawnServer(cli, devServerArgs(join(dataDir, 'temporal.db'), port, uiPort));
  const address = `127.0.0.1:${port}`;
  await waitForServer(address, child);
  return {
    address,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    process: child,
    async stop() {
      child.kill('SIGINT');
      await child;
    },
  };
}

const spawnServer = (cli: string, args: string[]) =>
  execa(cli, args, { stdio: ['ignore', 'ignore', 'pipe'], reject: false, cleanup: true });
type ServerProcess = ReturnType<typeof spawnServer>;

async function waitForServer(address: string, child: ServerProcess): Promise<void> {
  let exited = false;
  void child.then(() => (exited = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.healthService.check({});
      await conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const r = await Promise.race([child, Promise.resolve(undefined)]);
  throw new Error(`temporal dev server did not start on ${address}${r ? `: ${String(r.stderr).slice(-1000)}` : ''}`);
}
