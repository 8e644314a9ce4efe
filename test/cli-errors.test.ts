// The CLI's error layer: one line that says what to do, the documented exit code, a stack only with --debug.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { closedPort } from './support/backend-cases.js';
import { nightshift } from './support/cli.js';

const STACK = /^\s+at /m;

test('no engine running: exit 3 within seconds, one line naming the address and `nightshift dev`', async () => {
  const address = `127.0.0.1:${await closedPort()}`;
  for (const args of [['status', 'job-00000000'], ['list'], ['capacity'], ['history', 'job-00000000']]) {
    const started = Date.now();
    const r = await nightshift(args, { address });
    assert.equal(r.exitCode, 3, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`cannot reach the Temporal server at ${address.replace(/\./g, '\\.')}`));
    assert.match(r.stderr, /nightshift dev/);
    assert.doesNotMatch(r.stderr, STACK, 'no stack trace without --debug');
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    // The SDK's own default waits 10 s; ours 2 s (plus the CLI's start-up on a noisy machine).
    assert.ok(Date.now() - started < 9000, `${args.join(' ')} took ${Date.now() - started} ms`);
  }
});

test('--debug shows the stack trace; --version prints the package version', async () => {
  const address = `127.0.0.1:${await closedPort()}`;
  const r = await nightshift(['status', 'job-00000000', '--debug'], { address });
  assert.equal(r.exitCode, 3);
  assert.match(r.stderr, STACK);
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const v = await nightshift(['--version']);
  assert.equal(v.exitCode, 0, v.stderr);
  assert.equal(v.stdout.trim(), `nightshift ${pkg.version}`);
  const bad = await nightshift(['list', '--log-format', 'xml'], { address });
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /--log-format: expected json or pretty, got "xml"/);
});
