// No Docker engine here: compose file and Dockerfile parsed, their shell run on stubs, the install script run for real.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, posix } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { BACKENDS, resolveCommand } from '../src/agents/registry.js';
import { parse as parseArgv } from '../src/cli/args.js';
import { HTTP_OPTIONS, withHttpFlags } from '../src/cli/commands/serve-http.js';
import { loadConfig, parseConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { metricsRegistry } from '../src/http/metrics.js';
import { ALL_SEARCH_ATTRIBUTES } from '../src/protocol/search-attributes.js';
import { dashboardExprs, familyOf, metricNamesIn, type PromFamily } from './support/prom-text.js';

type Service = Record<string, unknown> & { image?: string; environment?: Record<string, string>; command?: string[] };
const repoUrl = (path: string): URL => new URL(`../${path}`, import.meta.url);
const read = (path: string): string => readFileSync(repoUrl(path), 'utf8');
const run = promisify(execFile);
const composeText = read('docker-compose.yml');
type Entries = Record<string, Record<string, string | undefined>>; // top-level configs, secrets
const compose = parse(composeText) as { services: Record<string, Service>; configs?: Entries; secrets?: Entries };
const services = compose.services;
const script = read('scripts/install-agent-clis.sh');
const SCRIPT = new URL('../scripts/install-agent-clis.sh', import.meta.url).pathname;

/** Compose's interpolation with nothing set: `${X:-d}` → d, `${X}` → "", `$$` → `$`. */
const interpolate = (s: string): string =>
  s.replace(/\$\$|\$\{\w+(?::?-([^}]*))?\}/g, (m, d?: string) => (m === '$$' ? '$' : (d ?? '')));
const env = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
const deps = (s: Service): Record<string, { condition?: string }> =>
  Array.isArray(s['depends_on'])
    ? Object.fromEntries(s['depends_on'].map((d: string) => [d, {}]))
    : ((s['depends_on'] ?? {}) as never);
const serviceWith = (image: RegExp, text: RegExp): string =>
  Object.keys(services).find((n) => image.test(services[n]?.image ?? '') && text.test(String(services[n]?.command))) ??
  '';
/** The script's NPM_CLIS / PIP_CLIS entries, split at "=": [cli, package] / [cli, dist, "", version]. */
const listed = (name: string): string[][] =>
  (new RegExp(`^${name}=\\((.*)\\)$`, 'm').exec(script)?.[1] ?? '').split(' ').map((e) => e.split('='));
/** cli → pinned version, read where the pins are written: package.json (npm CLIs) and the script's PIP_CLIS. */
const pins = (): Map<string, string> => {
  const dev = (JSON.parse(read('package.json')) as { devDependencies: Record<string, string> }).devDependencies;
  const npm = listed('NPM_CLIS').map(([cli, pkg]) => [cli!, dev[pkg!] ?? `${pkg} is not in devDependencies`] as const);
  return new Map([...npm, ...listed('PIP_CLIS').map(([cli, , , version]) => [cli!, version!] as const)]);
};
const AGENTS = Object.keys(BACKENDS).filter((b) => b !== 'command');
const readByLoad = new Set([...read('src/config/load.ts').matchAll(/env\['(\w+)'\]/g)].map((m) => m[1]));

/** The service's config as its container loads it: its environment, NIGHTSHIFT_CONFIG the compose config there. */
function serviceConfig(name: string): Config {
  const [e, cwd] = [env(name), mkdtempSync(join(tmpdir(), 'compose-'))];
  const mounts = (services[name]?.['configs'] ?? []) as { source: string; target: string }[];
  const mounted = mounts.find((c) => c.target === e['NIGHTSHIFT_CONFIG']);
  if (e['NIGHTSHIFT_CONFIG'])
    writeFileSync(join(cwd, 'c.json'), compose.configs?.[mounted?.source ?? '']?.content ?? '');
  return loadConfig(cwd, e['NIGHTSHIFT_CONFIG'] ? { ...e, NIGHTSHIFT_CONFIG: join(cwd, 'c.json') } : e);
}

test('compose: a worker scales (own host id and data dir per replica) and shares one ledger on the postgres service', () => {
  const worker = services['nightshift-worker']!;
  assert.equal(worker['build'], '.');
  assert.deepEqual(worker.command, ['worker']);
  for (const key of ['container_name', 'ports', 'hostname'])
    assert.equal(worker[key], undefined, `worker has no ${key}`);
  const e = env('nightshift-worker');
  assert.equal(e['NIGHTSHIFT_HOST_ID'], undefined, 'each replica names itself (its hostname)');
  const mounts = (worker['volumes'] as string[]).map((v) => v.split(':'));
  assert.deepEqual(
    mounts.find((m) => m.at(-1) === e['NIGHTSHIFT_DATA_DIR']),
    ['/data'],
    'anonymous /data per container',
  );

  const url = new URL(e['NIGHTSHIFT_LEDGER_URL'] ?? '');
  const pg = env(url.hostname);
  assert.match(url.protocol, /^postgres(ql)?:$/);
  assert.match(services[url.hostname]?.image ?? '', /^postgres:/, 'the ledger host is the postgres service');
  assert.deepEqual([url.username, url.password, url.port], [pg['POSTGRES_USER'], pg['POSTGRES_PASSWORD'], '5432']);
  const db = url.pathname.slice(1);
  const creator = serviceWith(/./, new RegExp(`\\b${db} create\\b`));
  assert.ok(creator, `a setup step creates database ${db}`);
  assert.equal(deps(worker)[creator]?.condition, 'service_completed_successfully');

  const [anthropic, openai, gemini] = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY'];
  const keys = { claude: [anthropic], codex: [openai], opencode: [openai], gemini: [gemini], llm: [openai] };
  const secrets = Object.values({ ...keys, aider: [anthropic, openai] }).flat();
  assert.deepEqual([...Object.keys(keys), 'aider'].sort(), [...AGENTS].sort(), 'every backend has its keys listed');
  for (const key of secrets) assert.equal(worker.environment?.[key], `\${${key}:-}`, `${key} from the environment`);
  // Each key reaches its own CLIs only (the sandbox's environment): the backend's adapter must let it through.
  for (const [backend, names] of Object.entries({ ...keys, aider: [anthropic, openai] }))
    for (const key of names)
      assert.ok(
        BACKENDS[backend]?.ownEnv.some((p) => key.startsWith(p)),
        `${key} reaches ${backend}`,
      );
  // bubblewrap needs mount and pid namespaces, which Docker's default profiles refuse.
  assert.deepEqual(worker['cap_add'], ['SYS_ADMIN']);
  assert.deepEqual(worker['security_opt'], ['seccomp=unconfined', 'apparmor=unconfined']);
  assert.equal(worker['init'], true, 'the worker is not PID 1: an init reaps the orphans of its sandboxes');
  for (const key of Object.keys(e)) assert.ok(readByLoad.has(key) || secrets.includes(key), `${key} is read`);
  const config = serviceConfig('nightshift-worker');
  const { temporal, dataDir, ledger } = config;
  assert.deepEqual([temporal.address, dataDir, ledger.url], ['temporal:7233', '/data', e['NIGHTSHIFT_LEDGER_URL']]);
  assert.equal(config.worker.hostId, parseConfig({}).worker.hostId, 'host id: the hostname');
});

test('compose: temporalio/server after an admin-tools schema job, every dependency a real service', () => {
  for (const s of Object.values(services)) assert.doesNotMatch(s.image ?? '', /auto-setup/, 'auto-setup is deprecated');
  const server = services['temporal']!;
  const [, tag] = /^temporalio\/server:(.+)$/.exec(server.image ?? '') ?? [];
  const schema = serviceWith(/^temporalio\/admin-tools:/, /setup-schema/);
  assert.ok(tag && schema, 'temporalio/server and a schema job');
  assert.equal(services[schema]?.image, `temporalio/admin-tools:${tag}`, 'schema tool and server of one version');
  assert.equal(deps(server)[schema]?.condition, 'service_completed_successfully');
  const t = env('temporal');
  const pg = env(t['POSTGRES_SEEDS'] ?? '');
  assert.match(services[t['POSTGRES_SEEDS'] ?? '']?.image ?? '', /^postgres:/);
  assert.deepEqual([t['DB'], t['BIND_ON_IP'], t['POSTGRES_USER']], ['postgres12', '0.0.0.0', pg['POSTGRES_USER']]);
  assert.equal(t['POSTGRES_PWD'], pg['POSTGRES_PASSWORD']);
  for (const [name, s] of Object.entries(services)) {
    for (const [dep, { condition }] of Object.entries(deps(s))) {
      assert.ok(services[dep], `${name} depends on ${dep}, which exists`);
      if (condition === 'service_healthy') assert.ok(services[dep]!['healthcheck'], `${dep} has a healthcheck`);
    }
  }
  const sa = serviceWith(/^temporalio\/admin-tools:/, /search-attribute create/);
  assert.match(
    String(services[sa]?.command),
    /namespace create -n default\b/,
    'temporalio/server creates no namespace',
  );
  for (const a of ALL_SEARCH_ATTRIBUTES) assert.match(String(services[sa]?.command), new RegExp(`\\b${a.name}\\b`));
  assert.ok(!/sk-[a-z]+-[A-Za-z0-9]{8,}/.test(composeText), 'no API key in the compose file');
});

test("compose: the schema job's shell, run against a stub temporal-sql-tool, sets up both Temporal databases", async () => {
  const name = serviceWith(/^temporalio\/admin-tools:/, /setup-schema/);
  const dir = mkdtempSync(join(tmpdir(), 'sql-tool-'));
  writeFileSync(join(dir, 'temporal-sql-tool'), `#!/bin/sh\necho "$SQL_PASSWORD $*" >> ${dir}/calls\n`);
  chmodSync(join(dir, 'temporal-sql-tool'), 0o755);
  const sh = interpolate(services[name]!.command![0]!);
  await run('sh', ['-c', sh], {
    env: { ...process.env, ...env(name), PATH: `${dir}${delimiter}${process.env['PATH']}` },
  });
  const calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  const pg = env('postgresql');
  const prefix = `${pg['POSTGRES_PASSWORD']} --plugin postgres12 --ep postgresql -p 5432 -u ${pg['POSTGRES_USER']}`;
  const v12 = '/etc/temporal/schema/postgresql/v12';
  const steps = (db: string, dir: string): string[] =>
    [`create`, `setup-schema -v 0.0`, `update-schema -d ${v12}/${dir}/versioned`].map(
      (s) => `${prefix} --db ${db} ${s}`,
    );
  const ledger = new URL(env('nightshift-worker')['NIGHTSHIFT_LEDGER_URL'] ?? '').pathname.slice(1);
  const { DBNAME, VISIBILITY_DBNAME } = env('temporal'); // the databases the server opens
  const want = [...steps(DBNAME!, 'temporal'), ...steps(VISIBILITY_DBNAME!, 'visibility')];
  assert.deepEqual(calls, [...want, `${prefix} --db ${ledger} create`]);
  const sa = serviceWith(/^temporalio\/admin-tools:/, /search-attribute create/);
  await run('sh', ['-n', '-c', interpolate(services[sa]!.command![0]!)]); // its syntax, at least
});

const yamlAt = <T>(path: string): T => parse(read(path)) as T;
const DASHBOARD = 'deploy/grafana/dashboards/nightshift.json';
/** The service's bind mounts of repo files, as [source (./path), container path, options]. */
const binds = (name: string): string[][] =>
  ((services[name]?.['volumes'] ?? []) as string[]).map((v) => v.split(':')).filter(([from]) => from?.startsWith('./'));
const bindOf = (name: string, path: string): string | undefined => binds(name).find(([f]) => f === `./${path}`)?.[1];

test("compose: nightshift-api serves the HTTP API off loopback on 7700, with a token, on the workers' engine and ledger", () => {
  const api = services['nightshift-api']!;
  assert.equal(api['build'], '.');
  const [command, ...argv] = api.command ?? [];
  const config = withHttpFlags(serviceConfig('nightshift-api'), parseArgv(argv, HTTP_OPTIONS).values);
  assert.deepEqual([command, config.http.host, config.http.port], ['serve', '0.0.0.0', 7700]);
  assert.deepEqual(api['ports'], [`${config.http.port}:${config.http.port}`]);
  assert.equal(api.environment?.['NIGHTSHIFT_HTTP_TOKEN'], '${NIGHTSHIFT_HTTP_TOKEN:-}', 'from the environment');
  const [a, w] = [env('nightshift-api'), env('nightshift-worker')];
  for (const key of ['TEMPORAL_ADDRESS', 'NIGHTSHIFT_LEDGER_URL', 'NIGHTSHIFT_DATA_DIR'])
    assert.equal(a[key], w[key], key);
  assert.deepEqual(deps(api), deps(services['nightshift-worker']!), 'it starts when the workers may');
  for (const key of Object.keys(a)) assert.ok(readByLoad.has(key), `${key} is read`);
});

test('compose --profile metrics: pinned Prometheus and Grafana, provisioned from deploy/, scraping the compose services', () => {
  const profiled = Object.keys(services).filter((n) => services[n]?.['profiles'] !== undefined);
  assert.deepEqual(profiled.sort(), ['grafana', 'prometheus']);
  for (const n of profiled) assert.deepEqual(services[n]?.['profiles'], ['metrics']);
  assert.match(services['prometheus']?.image ?? '', /^prom\/prometheus:v\d+\.\d+\.\d+$/);
  assert.match(services['grafana']?.image ?? '', /^grafana\/grafana:\d+\.\d+\.\d+$/);
  for (const n of Object.keys(services))
    for (const [from] of binds(n)) assert.ok(existsSync(repoUrl(from!)), `${n} mounts ${from}`);

  // Prometheus: its config file, the API with the API's token (a secret file), each worker's SDK metrics by DNS.
  type Job = { static_configs?: { targets: string[] }[]; authorization?: { credentials_file?: string } };
  const prom = yamlAt<{ scrape_configs: (Job & { dns_sd_configs?: unknown })[] }>('deploy/prometheus.yml');
  const mountedAt = bindOf('prometheus', 'deploy/prometheus.yml');
  assert.ok(services['prometheus']?.command?.includes(`--config.file=${mountedAt}`), 'it reads the mounted config');
  const [apiJob, workerJob] = [/nightshift-api/, /nightshift-worker/].map((re) =>
    prom.scrape_configs.find((j) => re.test(JSON.stringify(j))),
  );
  const apiPort = serviceConfig('nightshift-api').http.port;
  assert.deepEqual(apiJob?.static_configs?.[0]?.targets, [`nightshift-api:${apiPort}`]);
  assert.ok(serviceConfig('nightshift-api').http.hosts.includes('nightshift-api'), 'the API answers to that Host');
  const [secret] = (services['prometheus']?.['secrets'] ?? []) as string[];
  assert.equal(apiJob?.authorization?.credentials_file, `/run/secrets/${secret}`);
  assert.equal(compose.secrets?.[secret!]?.environment, 'NIGHTSHIFT_HTTP_TOKEN', 'the token the API reads');
  const [host, port] = serviceConfig('nightshift-worker').metrics.workerBindAddress?.split(':') ?? [];
  assert.deepEqual(workerJob?.dns_sd_configs, [{ names: ['nightshift-worker'], type: 'A', port: Number(port) }]);
  assert.equal(host, '0.0.0.0', 'reachable from the compose network');

  // Grafana: the data source is the prometheus service; the provider loads the mounted dashboards dir.
  const [dashboards, grafana] = [bindOf('grafana', 'deploy/grafana/dashboards'), 'deploy/grafana/provisioning'];
  assert.deepEqual([bindOf('grafana', grafana), dashboards], ['/etc/grafana/provisioning', '/etc/grafana/dashboards']);
  type Sources = { datasources: { uid: string; url: string }[] };
  const [source] = yamlAt<Sources>(`${grafana}/datasources/prometheus.yml`).datasources;
  assert.equal(source?.url, 'http://prometheus:9090');
  assert.ok((services['prometheus']?.['ports'] as string[]).includes('9090:9090'));
  const provider = yamlAt<{ providers: { options: { path: string } }[] }>(`${grafana}/dashboards/nightshift.yml`);
  const paths = provider.providers.map((p) => p.options.path);
  assert.deepEqual(paths, [dashboards]);
  const home = env('grafana')['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'] ?? '';
  assert.ok(existsSync(repoUrl(`deploy/grafana/dashboards/${posix.relative(dashboards!, home)}`)), home);
  const { panels } = JSON.parse(read(DASHBOARD)) as { panels: { type: string; datasource?: { uid: string } }[] };
  for (const p of panels.filter((p) => p.type !== 'row')) assert.equal(p.datasource?.uid, source?.uid);
});

test('Grafana dashboard: every panel query names metrics /metrics exports (temporal_*: test/metrics.test.ts)', () => {
  const { registry } = metricsRegistry({ config: parseConfig({}), client: {}, ledger: {}, events: {} } as never);
  const families = new Map<string, PromFamily>(
    registry.getMetricsAsArray().map((m) => [m.name, { type: String(m.type), samples: [] }]),
  );
  const exprs = dashboardExprs(JSON.parse(read(DASHBOARD)));
  assert.ok(exprs.length >= 15);
  for (const expr of exprs) {
    const names = metricNamesIn(expr);
    assert.ok(names.length > 0, `${expr} reads a nightshift_ or temporal_ metric`);
    for (const name of names.filter((n) => n.startsWith('nightshift_')))
      assert.ok(familyOf(families, name), `${name} (in ${expr}) is exported`);
  }
  const charted = new Set(exprs.flatMap(metricNamesIn).map((n) => familyOf(families, n)));
  for (const name of families.keys()) assert.ok(charted.has(name), `the dashboard charts ${name}`);
});

test('Dockerfile: runs the install script (pins only where they are written), PATH reaches all six CLIs', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => /^[A-Z]+ /.test(l));
  const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
  const install = at(/^RUN .*scripts\/install-agent-clis\.sh .*--verify/);
  const [, prefix] = /--npm-prefix (\S+)/.exec(lines[install] ?? '') ?? [];
  assert.ok(install > 0 && prefix, 'RUN scripts/install-agent-clis.sh --npm-prefix DIR --verify');
  assert.ok(at(/^COPY .*scripts\/install-agent-clis\.sh/) < install && at(/^COPY package\.json/) < install);
  assert.ok(at(/^WORKDIR \/app$/) < install, 'the venvs land in /app/.tools, where nightshift looks');
  const path = at(/^ENV PATH=/);
  assert.ok(path >= 0 && path < install, 'PATH is set before --verify checks it');
  const want = [`${prefix}/node_modules/.bin`, ...listed('PIP_CLIS').map(([cli]) => `/app/.tools/${cli}/bin`)];
  for (const dir of want) assert.ok(lines[path]!.includes(dir), `PATH has ${dir}`);
  // tini reaps what the worker's sandboxes orphan, also under a plain `docker run` (no --init).
  assert.equal(lines.at(-1), 'ENTRYPOINT ["tini", "-s", "--", "node", "/app/bin/nightshift.js"]');
  const setup = read('scripts/setup.sh');
  assert.match(setup, /^bash scripts\/install-agent-clis\.sh$/m, 'setup.sh runs the same script');
  for (const [cli, version] of pins()) {
    assert.ok(!lines.join('\n').includes(version) && !setup.includes(version), `${cli}'s pin is written once`);
  }
});

test('install-agent-clis.sh --verify on this checkout: installs nothing; each CLI, as nightshift resolves it, is at its pin', async () => {
  const { stdout, stderr } = await run('bash', [SCRIPT, '--verify'], { timeout: 120_000 });
  assert.doesNotMatch(stderr, /installing/, 'everything is in place: nothing to install');
  const got = new Map(
    stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([cli, v, ok, path]) => [cli, { v, ok, path }]),
  );
  assert.deepEqual([...got.keys()].sort(), [...AGENTS].sort());
  const config = parseConfig({});
  for (const [cli, pin] of pins()) {
    assert.deepEqual(got.get(cli), { v: pin, ok: 'ok', path: resolveCommand(cli, config) }, cli);
  }
});

test('install-agent-clis.sh --verify fails, naming each CLI, when what PATH finds first is not at its pin', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stub-clis-'));
  for (const cli of AGENTS) {
    writeFileSync(join(dir, cli), '#!/bin/sh\necho "9.9.9-stub"\n');
    chmodSync(join(dir, cli), 0o755);
  }
  const PATH = `${dir}${delimiter}${process.env['PATH']}`;
  const failed = await run('bash', [SCRIPT, '--verify'], { env: { ...process.env, PATH } }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(failed.code, 1);
  for (const [cli, pin] of pins())
    assert.match(failed.stderr, new RegExp(`${cli}: wanted ${pin}; got: 9\\.9\\.9-stub`));
});
