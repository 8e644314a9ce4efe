// The egress proxy on its own, as a hostile agent would talk to it: patterns, a name that resolves to the worker's
// own port, oversized headers, credentials in URLs, and every connection ended when the run's proxy closes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { agentNetwork, checkNetwork, patternAllows } from '../../src/sandbox/egress-policy.js';
import { startProxy, type TrackedServer } from '../../src/sandbox/egress-proxy.js';

const dir = mkdtempSync(join(tmpdir(), 'nightshift-proxy-'));
let upstream: Server;
let upPort = 0;
let proxy: TrackedServer;
const sock = join(dir, 'p.sock');

before(async () => {
  upstream = createServer((q, r) => r.end(`up ${q.url} auth=${q.headers['proxy-authorization'] ?? '-'}`));
  await new Promise<void>((ok) => upstream.listen(0, '127.0.0.1', () => ok()));
  upPort = (upstream.address() as AddressInfo).port;
  const allow = [`127.0.0.1:${upPort}`, `localhost:${upPort}`, '*.allowed.invalid'];
  proxy = await startProxy(sock, { allow, denyPorts: [], label: 'test' });
});
after(async () => {
  await proxy?.close();
  upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes to the proxy and returns everything it answered until it closed (or 3 s passed). */
async function ask(raw: string | Buffer, path = sock): Promise<string> {
  return new Promise((ok) => {
    const s = connect(path);
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', () => ok(out));
    s.on('close', () => ok(out));
    s.setTimeout(3000, () => s.destroy());
    s.write(raw);
  });
}

test('patterns: exact hosts, ports, *.domain for subdomains only, IP literals only when written', () => {
  assert.ok(patternAllows('api.example.com', 'api.example.com', 443));
  assert.ok(patternAllows('api.example.com', 'API.example.com.', 80));
  assert.ok(!patternAllows('api.example.com', 'api.example.com', 8443));
  assert.ok(patternAllows('api.example.com:8443', 'api.example.com', 8443));
  assert.ok(patternAllows('*.example.com', 'a.b.example.com', 443));
  assert.ok(!patternAllows('*.example.com', 'example.com', 443));
  assert.ok(!patternAllows('*.example.com', 'evilexample.com', 443));
  assert.ok(!patternAllows('*.0.0.1', '127.0.0.1', 443), 'a wildcard never matches an IP address');
  assert.ok(patternAllows('10.0.0.5:8080', '10.0.0.5', 8080));
  assert.ok(!patternAllows('10.0.0.5:8080', '10.0.0.6', 8080));
});

test('an allowed http request is forwarded, its Proxy-Authorization not', async () => {
  const req = `GET http://127.0.0.1:${upPort}/x?y=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nProxy-Authorization: Basic c2VjcmV0\r\n\r\n`;
  const out = await ask(req);
  assert.match(out, /^HTTP\/1\.1 200/);
  assert.match(out, /up \/x\?y=1 auth=-/);
});

test('CONNECT to an allowed host tunnels; to anything else 403', async () => {
  const ok = await ask(`CONNECT 127.0.0.1:${upPort} HTTP/1.1\r\n\r\nGET /t HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.match(ok, /^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200/);
  assert.match(await ask('CONNECT example.com:443 HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 403/);
  assert.match(await ask(`CONNECT 127.0.0.1:${upPort + 1} HTTP/1.1\r\n\r\n`), /^HTTP\/1\.1 403/);
  // A name the pattern allows that does not resolve: refused, not a hang.
  assert.match(await ask('CONNECT nothing.allowed.invalid:443 HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 403/);
});

test('the worker ports stay closed even when a pattern names them (a name resolving to loopback too)', async () => {
  const s = join(dir, 'deny.sock');
  const p = await startProxy(s, {
    allow: [`localhost:${upPort}`, `127.0.0.1:${upPort}`],
    denyPorts: [upPort],
    label: 't',
  });
  try {
    assert.match(await ask(`CONNECT localhost:${upPort} HTTP/1.1\r\n\r\n`, s), /^HTTP\/1\.1 403/);
    assert.match(await ask(`GET http://127.0.0.1:${upPort}/ HTTP/1.1\r\nHost: a\r\n\r\n`, s), /^HTTP\/1\.1 403/);
  } finally {
    await p.close();
  }
});

test('bad requests: oversized header 431, credentials in the URL and https:// without CONNECT 400', async () => {
  assert.match(await ask(`GET http://127.0.0.1:${upPort}/ HTTP/1.1\r\nX: ${'a'.repeat(40_000)}`), /^HTTP\/1\.1 431/);
  assert.match(await ask(`GET http://u:p@127.0.0.1:${upPort}/ HTTP/1.1\r\n\r\n`), /^HTTP\/1\.1 400/);
  assert.match(await ask(`GET https://127.0.0.1:${upPort}/ HTTP/1.1\r\n\r\n`), /^HTTP\/1\.1 400/);
  assert.match(await ask('hello\r\n\r\n'), /^HTTP\/1\.1 400/);
});

test('closing the run ends its open tunnels', async () => {
  const s = join(dir, 'close.sock');
  const p = await startProxy(s, { allow: [`127.0.0.1:${upPort}`], denyPorts: [], label: 't' });
  const c = connect(s);
  const closed = new Promise<void>((ok) => c.once('close', () => ok()));
  c.write(`CONNECT 127.0.0.1:${upPort} HTTP/1.1\r\n\r\n`);
  await new Promise((ok) => c.once('data', ok)); // the tunnel is up
  await p.close();
  await closed; // the proxy ended it (else this test times out)
  assert.ok(c.destroyed);
});

test('policies: the vendor endpoint or baseUrl plus allowHosts; the worker ports denied; none and host as set', () => {
  const raw = {
    dataDir: dir,
    temporal: { address: '127.0.0.1:7999' },
    ledger: { url: 'postgres://u:p@127.0.0.1:6543/l' },
    http: { port: 7788 },
    metrics: { workerBindAddress: '0.0.0.0:9464' },
    sandbox: { allowHosts: ['registry.npmjs.org'] },
  };
  const config = parseConfig(raw);
  const claude = agentNetwork('claude', undefined, config);
  assert.equal(claude.kind, 'proxy');
  if (claude.kind !== 'proxy') return;
  assert.deepEqual(claude.allow, ['api.anthropic.com:443', 'platform.claude.com:443', 'registry.npmjs.org']);
  for (const p of [7999, 6543, 7788, 9464]) assert.ok(claude.denyPorts.includes(p), `worker port ${p} denied`);
  assert.equal(claude.loopback, undefined);
  const local = agentNetwork('llm', { env: {}, extraArgs: [], baseUrl: 'http://localhost:8111/v1' }, config);
  assert.ok(local.kind === 'proxy' && local.allow[0] === 'localhost:8111');
  assert.deepEqual(local.kind === 'proxy' && local.loopback, { host: 'localhost', port: 8111 });
  assert.deepEqual(agentNetwork('codex', undefined, parseConfig({ ...raw, sandbox: { agentNetwork: 'none' } })), {
    kind: 'none',
  });
  assert.deepEqual(checkNetwork(config), { kind: 'none' }, 'a check has no network unless checkNetwork');
  const check = checkNetwork(parseConfig({ ...raw, sandbox: { checkNetwork: true, allowHosts: ['a.example'] } }));
  assert.ok(check.kind === 'proxy' && check.allow.join() === 'a.example', 'a check: allowHosts only');
  assert.throws(() => parseConfig({ ...raw, sandbox: { allowHosts: ['http://x/'] } }), /allowHosts/);
});
