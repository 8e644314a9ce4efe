// Issue 25 row 10, unit level: the MCP server a brain's agent mounts carries no credential (URL userinfo, secret query
// parameters, tokens, env maps), and the one mask finds every configured secret however output quotes or cuts it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { execa } from 'execa';
import { claude } from '../../src/agents/adapters/claude.js';
import { BoundedSink, LineSplitter, Tail } from '../../src/agents/process/output-sink.js';
import { runContextOf } from '../../src/agents/run.js';
import { parseConfig } from '../../src/config/load.js';
import { mcpMount } from '../../src/config/mcp-mount.js';
import { registerConfigSecrets, secretValuesOf, shortSecrets } from '../../src/config/secret-values.js';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { mask, registerSecrets } from '../../src/support/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'nightshift-secrets-mount-'));
const LEDGER =
  'postgres://ledger_user:ledger-pass-9f3k@db.internal:5432/ns?sslmode=require&sslpassword=x-ssl-pw-77&application_name=ns';
const raw = {
  dataDir: join(dir, 'data'),
  temporal: { address: '127.0.0.1:7233' },
  ledger: { url: LEDGER },
  http: { token: 'operator-token-0123456789', tokens: [{ token: 'submit-token-0123456789', scope: 'submit' }] },
  backends: {
    claude: {
      env: { ANTHROPIC_API_KEY: 'sk-ant-mount-secret-0001' },
      baseUrl: 'https://u:base-pw-55@model.example/v1?api_key=k-77',
    },
    command: { env: { DEPLOY_KEY: 'deploy-key-secret-0002', TZ: 'Europe/Berlin' } },
  },
  repos: [{ match: '/', setup: ['true'], env: { NPM_TOKEN: 'npm-token-secret-0003' } }],
  notify: {
    webhooks: [{ url: 'https://hooks.example/T0/B0/hook-secret-0004', headers: { 'X-Key': 'header-secret-0005' } }],
  },
};
const SECRETS = ['ledger-pass-9f3k', 'x-ssl-pw-77', 'operator-token-0123456789', 'submit-token-0123456789'];
SECRETS.push('sk-ant-mount-secret-0001', 'base-pw-55', 'k-77', 'deploy-key-secret-0002', 'npm-token-secret-0003');
SECRETS.push('hook-secret-0004', 'header-secret-0005');

/** Every string in `v` that looks like a URL. */
const urlsIn = (v: unknown): string[] =>
  typeof v === 'string'
    ? /^[a-z][a-z0-9+.-]*:\/\//i.test(v)
      ? [v]
      : []
    : typeof v === 'object' && v !== null
      ? Object.values(v).flatMap(urlsIn)
      : [];

test('the mounted MCP config of a brain job: no userinfo, no secret query parameter, no token, no env value', async () => {
  const config = parseConfig(raw);
  const spec = resolveJobSpec({ prompt: 'brain', backend: 'claude', workspace: 'none', mcp: true }, config);
  const ctx = await runContextOf(spec, { path: dir, mode: 'none', jobDir: dir, baseline: [] }, config, '/bin/true');
  assert.ok(ctx.mcp, 'a brain job mounts the server');
  const mounted = ctx.mcp.env['NIGHTSHIFT_CONFIG_JSON'] ?? '';
  // What claude is handed for it (`--mcp-config <json>`), as the CLI reads it.
  const args = claude.invocation(ctx, undefined).args;
  const mcpConfig = args[args.indexOf('--mcp-config') + 1] ?? '';
  assert.ok(mcpConfig.includes('NIGHTSHIFT_CONFIG_JSON'), 'the CLI is given the server');
  for (const text of [mounted, mcpConfig, JSON.stringify(mcpMount(config, spec.jobId))])
    for (const s of [...SECRETS, 'ledger_user', 'sslpassword', 'api_key']) assert.ok(!text.includes(s), `${s} mounted`);

  const parsed = JSON.parse(mounted) as Record<string, unknown>;
  const urls = urlsIn(parsed);
  assert.ok(
    urls.some((u) => u.startsWith('postgres://db.internal:5432/ns?')),
    `the ledger URL stays: ${urls.join(' ')}`,
  );
  for (const u of urls.map((x) => new URL(x))) {
    assert.equal(u.username + u.password, '', `${u.href}: no userinfo`);
    assert.deepEqual(
      [...u.searchParams.keys()].filter((k) => /pass|key|token|secret/i.test(k)),
      [],
      u.href,
    );
  }
  assert.equal(new URL(urls.find((u) => u.startsWith('postgres:')) ?? '').searchParams.get('sslmode'), 'require');
  // The server can boot from it: the same schema, every default in place.
  const back = parseConfig(parsed, 'mounted config');
  assert.equal(back.temporal.address, '127.0.0.1:7233');
  assert.deepEqual(back.backends['command']?.env, {});
  assert.deepEqual(back.http.tokens, []);
});

test('the secret set: every configured secret and key-named worker env var; settings and scopes are not secrets', () => {
  const values = secretValuesOf(parseConfig(raw), { ACME_API_KEY: 'acme-key-0006', PATH: '/usr/bin:/bin' });
  const hook = raw.notify.webhooks[0]?.url ?? ''; // a webhook URL is a credential whole (Slack's are)
  for (const s of [...SECRETS.filter((x) => !hook.endsWith(x)), hook, 'acme-key-0006'])
    assert.ok(values.includes(s), `${s} is a secret`);
  for (const s of ['Europe/Berlin', 'submit', '/usr/bin:/bin', 'ledger_user']) assert.ok(!values.includes(s), s);
  // Too short to mask: named in a warning (never the value); a switch such as `1` is no secret.
  const short = parseConfig({ ...raw, backends: { command: { env: { PIN: '4321', USE_X: '1', TZ: 'UTC' } } } });
  assert.deepEqual(shortSecrets(short), ['backends.command.env.PIN']);
});

test('mask: raw, JSON-escaped and URL-encoded forms; short values skipped; any URL’s password', () => {
  registerConfigSecrets(parseConfig(raw), {});
  registerSecrets(['a"b\\c/d-odd-secret', 'short']);
  assert.equal(mask('key=deploy-key-secret-0002.'), 'key=***.');
  assert.equal(mask(JSON.stringify({ v: 'a"b\\c/d-odd-secret' })), '{"v":"***"}', 'JSON-escaped: still JSON');
  assert.equal(mask(`q=${encodeURIComponent('a"b\\c/d-odd-secret')}`), 'q=***');
  assert.equal(mask('a short word'), 'a short word', 'under 6 characters: not masked (too many false hits)');
  assert.equal(mask('git clone https://me:hunter22@git.example/r'), 'git clone https://me:***@git.example/r');
});

test('output kept by a supervised process: a secret cut across writes, or by a tail, still never shows', async () => {
  registerSecrets(['split-secret-abcdefghij']);
  const file = join(dir, 'out.jsonl');
  const sink = new BoundedSink(file, 1_000_000);
  await sink.ready();
  const lines: string[] = [];
  const split = new LineSplitter((l) => lines.push(l));
  for (const chunk of ['one split-sec', 'ret-abcdefghij two\nno newline: split-secret-a', 'bcdefghij']) {
    sink.write(chunk);
    split.push(chunk);
  }
  split.end();
  await sink.close();
  assert.equal(readFileSync(file, 'utf8'), 'one *** two\nno newline: ***');
  assert.deepEqual(lines, ['one *** two', 'no newline: ***']);
  const tail = new Tail(20);
  tail.push(`${'x'.repeat(30)}split-secret-abcdefghij and more text`);
  assert.ok(!tail.toString().includes('abcdefghij'), tail.toString());
  tail.push(' then the end');
  assert.ok(tail.toString().endsWith('the end'));
  assert.ok(!tail.toString().includes('fghij'));
});

test('the log, JSON or pretty: a message, a field and an error naming a secret show `***`', async () => {
  const script = join(dir, 'log.ts');
  const src = (p: string): string => fileURLToPath(new URL(`../../src/support/${p}`, import.meta.url));
  writeFileSync(
    script,
    [
      `import { logger } from '${src('logger.ts')}';`,
      `import { registerSecrets } from '${src('secrets.ts')}';`,
      "registerSecrets(['log-secret-314159']);",
      "logger('t').warn({ detail: 'a log-secret-314159 b' }, 'msg log-secret-314159');",
      "logger('t').error({ err: new Error('boom log-secret-314159') }, 'failed');",
      'setTimeout(() => undefined, 300);', // the pretty transport flushes from its thread
    ].join('\n'),
  );
  for (const format of ['json', 'pretty']) {
    const env = { NIGHTSHIFT_LOG_FORMAT: format, NIGHTSHIFT_LOG_LEVEL: 'info' };
    const { stderr } = await execa('node', ['--import', 'tsx', script], { env, reject: false });
    assert.match(stderr, /msg \*\*\*/, `${format}: the line was logged, masked:\n${stderr}`);
    assert.match(stderr, /boom \*\*\*/, `${format}: the error too`);
    assert.ok(!stderr.includes('log-secret-314159'), `${format}:\n${stderr}`);
  }
});
