import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigSchema, type Config } from './schema.js';
import { registerConfigSecrets } from './secret-values.js';
import { UsageError } from '../support/usage-error.js';
import { describeIssues } from '../support/zod-issues.js';

export const CONFIG_FILE = 'nightshift.config.json';

/** Parse the config once at the edge: file (optional) + environment overrides. */
export function loadConfig(cwd = process.cwd(), env = process.env): Config {
  const config = readConfig(cwd, env);
  registerConfigSecrets(config, env); // this process masks them in everything it logs or stores
  return config;
}

function readConfig(cwd: string, env: NodeJS.ProcessEnv): Config {
  // A server mounted into a job's agent gets its worker's config inline (its files are out of the sandbox's sight).
  const inline = env['NIGHTSHIFT_CONFIG_JSON'];
  if (inline)
    return parseConfig(withEnv(parseJson(inline, 'NIGHTSHIFT_CONFIG_JSON'), env), 'NIGHTSHIFT_CONFIG_JSON', cwd);
  const file = resolve(cwd, env['NIGHTSHIFT_CONFIG'] ?? CONFIG_FILE);
  let raw: unknown = {};
  if (existsSync(file)) {
    raw = parseJson(readFileSync(file, 'utf8'), file);
  } else if (env['NIGHTSHIFT_CONFIG']) {
    throw new UsageError(`NIGHTSHIFT_CONFIG: file not found: ${file}`);
  }
  return parseConfig(withEnv(raw, env), file, cwd);
}

export function parseConfig(raw: unknown, source = 'config', cwd = process.cwd()): Config {
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(`invalid ${source}:\n${describeIssues(parsed.error, raw)}`);
  }
  const config = parsed.data;
  config.dataDir = resolve(cwd, config.dataDir);
  config.sandbox.readOnly = config.sandbox.readOnly.map((p) => resolve(cwd, p));
  config.sandbox.writable = config.sandbox.writable.map((p) => resolve(cwd, p));
  if (config.instructionsFile) {
    const path = resolve(cwd, config.instructionsFile);
    if (!existsSync(path))
      throw new UsageError(`invalid ${source}: instructionsFile: not found: "${config.instructionsFile}"`);
    config.instructions = readFileSync(path, 'utf8');
  }
  if (config.capacity.reservedOperatorSlots >= config.capacity.maxSlots) {
    throw new UsageError(
      `invalid ${source}: capacity.reservedOperatorSlots (${config.capacity.reservedOperatorSlots}) must be below capacity.maxSlots (${config.capacity.maxSlots})`,
    );
  }
  return config;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${source}: not valid JSON (${(err as Error).message})`);
  }
}

function withEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out = { ...(raw as Record<string, unknown>) };
  const temporal = { ...((out['temporal'] as Record<string, unknown> | undefined) ?? {}) };
  if (env['TEMPORAL_ADDRESS']) temporal['address'] = env['TEMPORAL_ADDRESS'];
  if (env['TEMPORAL_NAMESPACE']) temporal['namespace'] = env['TEMPORAL_NAMESPACE'];
  if (env['NIGHTSHIFT_TASK_QUEUE']) temporal['taskQueue'] = env['NIGHTSHIFT_TASK_QUEUE'];
  if (env['NIGHTSHIFT_DATA_DIR']) out['dataDir'] = env['NIGHTSHIFT_DATA_DIR'];
  out['temporal'] = temporal;
  const worker = { ...((out['worker'] as Record<string, unknown> | undefined) ?? {}) };
  if (env['NIGHTSHIFT_HOST_ID']) worker['hostId'] = env['NIGHTSHIFT_HOST_ID'];
  out['worker'] = worker;
  const ledger = { ...((out['ledger'] as Record<string, unknown> | undefined) ?? {}) };
  if (env['NIGHTSHIFT_LEDGER_URL']) ledger['url'] = env['NIGHTSHIFT_LEDGER_URL'];
  out['ledger'] = ledger;
  const http = { ...((out['http'] as Record<string, unknown> | undefined) ?? {}) };
  if (env['NIGHTSHIFT_HTTP_TOKEN']) http['token'] = env['NIGHTSHIFT_HTTP_TOKEN']; // a secret: better in env than in a file
  if (env['NIGHTSHIFT_HTTP_PORT']) http['port'] = Number(env['NIGHTSHIFT_HTTP_PORT']);
  if (env['NIGHTSHIFT_HTTP_HOSTS']) http['hosts'] = env['NIGHTSHIFT_HTTP_HOSTS'].split(',').filter(Boolean); // a,b
  out['http'] = http;
  return out;
}
