// A host without bubblewrap: the sandbox is off with one warning at worker start (unless the config asks for bwrap,
// which is then an error naming sandbox.mode); a host with it: bwrap.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { execa } from 'execa';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// What a worker does at start, in a process of its own (the probe is cached per process).
const SCRIPT = `
import { parseConfig } from './src/config/load.ts';
import { announceSandbox } from './src/sandbox/detect.ts';
try {
  console.log(announceSandbox(parseConfig(JSON.parse(process.argv[1]))));
} catch (err) {
  console.log('error: ' + err.message);
}`;

async function start(path: string, config: object): Promise<{ stdout: string; stderr: string }> {
  const r = await execa(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, JSON.stringify(config)],
    {
      cwd: ROOT,
      env: { PATH: path, NIGHTSHIFT_LOG_FORMAT: 'json', NIGHTSHIFT_LOG_LEVEL: 'warn' },
      extendEnv: false,
    },
  );
  return { stdout: r.stdout.trim(), stderr: r.stderr };
}

test('no bubblewrap on PATH: sandbox off with one warning; a configured bwrap is an error naming sandbox.mode', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'nightshift-nobwrap-'));
  const off = await start(empty, {});
  assert.equal(off.stdout, 'off');
  const warnings = off.stderr.split('\n').filter((l) => l.includes('sandbox: off'));
  assert.equal(warnings.length, 1, off.stderr);
  const asked = await start(empty, { sandbox: { mode: 'bwrap' } });
  assert.match(asked.stdout, /^error: sandbox\.mode: "bwrap" but bubblewrap is not installed/);
  const quiet = await start(empty, { sandbox: { mode: 'off' } });
  assert.equal(quiet.stdout, 'off');
  assert.ok(!quiet.stderr.includes('sandbox: off'), 'off by choice: no warning');
});

test('bubblewrap on PATH (setup installs it): bwrap, without a warning', async () => {
  const on = await start(process.env['PATH'] ?? '', {});
  assert.equal(on.stdout, 'bwrap', 'npm run setup installs bubblewrap; see the README’s sandbox section');
  assert.ok(!on.stderr.includes('sandbox: off'));
});
