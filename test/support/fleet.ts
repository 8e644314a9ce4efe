// Worker hosts for fleet tests: each a real `nightshift worker` process in its own mount namespace, with a
// private tmpfs at the same data-dir path — two hosts that cannot see each other's files, as two machines.
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { execa } from 'execa';
import { queuePollers } from '../../src/activities/hosts.js';
import { hostQueue } from '../../src/protocol/ids.js';
import { waitFor } from './procs.js';

const BIN = fileURLToPath(new URL('../../bin/nightshift.js', import.meta.url));
// Mount a private tmpfs over the shared path, then become the worker (exec: the worker's pid is this pid).
const HOST_SCRIPT =
  'mount -t tmpfs nightshift-host "$NIGHTSHIFT_DATA_DIR" && mkdir -p "$NIGHTSHIFT_DATA_DIR/home" && exec "$NODE_BIN" "$NIGHTSHIFT_BIN" worker';

export interface FleetHost {
  hostId: string;
  pid: number;
  /** The host's mount namespace (`mnt:[…]`): every process of the host is in it, and only those. */
  mntNs: string;
  /** A path inside the host's private data dir, as seen from outside (through /proc/<pid>/root). */
  view(path: string): string;
  alive(): boolean;
  /** Runs the nightshift CLI on this host (inside its mount namespace, with its environment); stdout. */
  cli(args: string[]): Promise<string>;
  kill9(): void;
  stop(): Promise<void>;
  stderr(): string;
}

export interface FleetOptions {
  client: Client;
  address: string;
  taskQueue: string;
  /** The same path on every host; each mounts its own tmpfs there. */
  dataDir: string;
  /** The config every host shares (backends, jobs, worker settings), as JSON. */
  config: Record<string, unknown>;
  env?: Record<string, string>;
}

/** A shared config file and data-dir path for a fleet on one task queue. */
export function fleetPaths(): { dataDir: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-fleet-'));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  return { dataDir, root };
}

export async function startHost(hostId: string, o: FleetOptions): Promise<FleetHost> {
  const configFile = join(o.dataDir, '..', `config-${hostId}.json`);
  writeFileSync(configFile, JSON.stringify(o.config));
  let stderr = '';
  const proc = execa('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', HOST_SCRIPT], {
    env: { ...o.env, ...hostEnv(hostId, configFile, o), NODE_BIN: process.execPath, NIGHTSHIFT_BIN: BIN },
    stdin: 'ignore',
    reject: false,
    buffer: false,
  });
  proc.stderr?.on('data', (c: Buffer) => void (stderr = (stderr + c.toString()).slice(-20_000)));
  const pid = proc.pid ?? 0;

  let exited = false;
  void proc.then(() => (exited = true));
  const queue = hostQueue(o.taskQueue, hostId);
  await waitFor(
    `host ${hostId} polling ${queue}`,
    async () => {
      if (exited) throw new Error(`host ${hostId} exited: ${stderr}`);
      return (await queuePollers(o.client, 'default', queue)).some((p) => p.identity === `${hostId}@${pid}`);
    },
    60_000,
  );
  return {
    hostId,
    pid,
    mntNs: readlinkSync(`/proc/${pid}/ns/mnt`),
    view: (path) => `/proc/${pid}/root${path}`,
    alive: () => !exited,
    async cli(args) {
      const env = { ...o.env, ...hostEnv(hostId, configFile, o) };
      const r = await execa('nsenter', [`--mount=/proc/${pid}/ns/mnt`, '--', process.execPath, BIN, ...args], { env });
      return r.stdout;
    },
    kill9: () => void process.kill(pid, 'SIGKILL'),
    async stop() {
      if (!exited) process.kill(pid, 'SIGTERM');
      await proc;
    },
    stderr: () => stderr,
  };
}

/** What a host's processes are told: its config, data dir, host id, queue and server. */
function hostEnv(hostId: string, configFile: string, o: FleetOptions): Record<string, string> {
  return {
    NIGHTSHIFT_CONFIG: configFile,
    NIGHTSHIFT_DATA_DIR: o.dataDir,
    NIGHTSHIFT_HOST_ID: hostId,
    NIGHTSHIFT_TASK_QUEUE: o.taskQueue,
    TEMPORAL_ADDRESS: o.address,
  };
}

/** Pids of live processes in a mount namespace (a host's processes; none once the host is wholly gone). */
export function processesInNamespace(mntNs: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/mnt`) === mntNs) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}
