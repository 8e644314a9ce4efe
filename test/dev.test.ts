// `nightshift dev`: embedded server + worker; Ctrl-C stops both; the next `dev` finds every job where it was. Its
// dashboard needs the token it prints once in the login URL (the one kept in the data dir).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { execa } from 'execa';
import { nightshift } from './support/cli.js';
import { slowAgent } from './support/slow-agent.js';
import { freePort } from '../src/dev/demo/demo-setup.js';

const BIN = fileURLToPath(new URL('../bin/nightshift.js', import.meta.url));

function startDev(cwd: string) {
  const child = execa('node', [BIN, 'dev'], {
    cwd,
    reject: false,
    env: { NIGHTSHIFT_LOG_FORMAT: 'json' },
    stdin: 'ignore',
  });
  let said = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => {
      said += c.toString();
      if (said.includes('Ctrl-C stops all')) resolve(said); // what dev said by then, the login URL among it
    });
    void child.then((r) => reject(new Error(`dev exited early: ${r.stderr}`)));
  });
  return { child, ready };
}

test('dev: a job survives Ctrl-C and restart; the server and worker stop cleanly', { timeout: 180_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'nightshift-dev-'));
  const agent = slowAgent(0);
  const httpPort = await freePort();
  writeFileSync(
    join(cwd, 'nightshift.config.json'),
    JSON.stringify({
      temporal: { devPort: await freePort(), devUiPort: await freePort() },
      ledger: { devPort: await freePort() }, // the embedded ledger too: never a running `nightshift dev`'s port
      http: { port: httpPort }, // and the dashboard
      backends: { command: agent.backend },
      sandbox: agent.sandbox,
    }),
  );
  const cli = (args: string[]) => nightshift(args, { cwd });
  let dev = startDev(cwd);
  await dev.ready;
  const submitted = await cli([
    'submit',
    'nightly report',
    '--backend',
    'command',
    '--kind',
    'llm',
    '--workspace',
    'none',
    '--wait',
    '--json',
  ]);
  assert.equal(submitted.exitCode, 0, submitted.stderr);
  const result = JSON.parse(submitted.stdout) as { jobId: string; status: string; finalText: string };
  assert.equal(result.status, 'succeeded');
  assert.equal(result.finalText.trim(), 'done nightly report');

  dev.child.kill('SIGINT');
  const stopped = await dev.child;
  assert.equal(stopped.exitCode, 0, stopped.stderr.slice(-2000));
  const down = await cli(['status', result.jobId]);
  assert.notEqual(down.exitCode, 0, 'the server is gone with dev');

  dev = startDev(cwd);
  const said = await dev.ready;
  const logins = [...said.matchAll(/http:\/\/127\.0\.0\.1:(\d+)\/login#token=([\w%-]+)/g)];
  assert.equal(logins.length, 1, `the login URL, printed once: ${said.slice(-2000)}`);
  assert.equal(logins[0]![1], String(httpPort));
  const token = decodeURIComponent(logins[0]![2]!);
  assert.equal(readFileSync(join(cwd, '.nightshift', 'http-token'), 'utf8').trim(), token, 'the one kept');
  try {
    const status = await cli(['status', result.jobId, '--json']);
    assert.equal(status.exitCode, 0, status.stderr);
    const progress = JSON.parse(status.stdout) as { status: string; step: string; result: { finalText: string } };
    assert.equal(progress.status, 'succeeded');
    assert.equal(progress.step, 'done');
    assert.equal(progress.result.finalText.trim(), 'done nightly report');
    const listed = await cli(['list', '--json']);
    assert.ok((JSON.parse(listed.stdout) as { jobId: string }[]).some((j) => j.jobId === result.jobId));
    const capacity = JSON.parse((await cli(['capacity', '--json'])).stdout) as {
      counters: { granted: number; released: number };
    };
    assert.deepEqual([capacity.counters.granted, capacity.counters.released], [1, 1]);
    // dev serves the API and the dashboard beside its worker: the same job, through HTTP, with the token only.
    const jobUrl = `http://127.0.0.1:${httpPort}/api/jobs/${result.jobId}`;
    assert.equal((await fetch(jobUrl)).status, 401, 'no token, not even on loopback');
    const authorized = { headers: { authorization: `Bearer ${token}` } };
    const job = (await (await fetch(jobUrl, authorized)).json()) as {
      result: { status: string };
    };
    assert.equal(job.result.status, 'succeeded');
    assert.match(await (await fetch(`http://127.0.0.1:${httpPort}/`)).text(), /<html/i);
  } finally {
    dev.child.kill('SIGINT');
    await dev.child;
  }
});
