// The README's examples run as written: its config block is a valid config, and its commands that need no
// model key (reading commands) run against a real engine without an error.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nightshift } from './support/cli.js';
import { useTemporal } from './support/stub-activities.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const t = useTemporal();

/** The fenced blocks of a language that follow a heading. */
function blocks(lang: string, heading: string): string[] {
  const section = README.slice(README.indexOf(heading));
  return [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
}

/** `nightshift …` lines of a sh block, without their comments, split like a shell would (quotes kept whole). */
function commands(block: string): string[][] {
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('nightshift '))
    .map((l) => [...l.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '').slice(1));
}

// Commands that read the engine (no model key, nothing started): they must run exactly as the README shows them.
const READING = new Set(['list', 'capacity', 'stats', 'sessions']);

test('the README config example is a valid config, and its reading commands run as written', async () => {
  const [config] = blocks('json', '### Configuration');
  assert.ok(config, 'a JSON config example');
  const cwd = mkdtempSync(join(tmpdir(), 'nightshift-readme-'));
  writeFileSync(join(cwd, 'nightshift.config.json'), config);
  const examples = commands(blocks('sh', '## Using it')[0] ?? '').filter((c) => READING.has(c[0] ?? ''));
  assert.ok(examples.length >= 3, `reading commands found: ${JSON.stringify(examples)}`);
  const env = { NIGHTSHIFT_TASK_QUEUE: `readme-${process.pid}-${Date.now()}`, NIGHTSHIFT_DATA_DIR: join(cwd, 'data') };
  for (const args of [['capacity', '--json'], ...examples]) {
    const r = await nightshift(args, { address: t.env.address, cwd, env });
    assert.equal(r.exitCode, 0, `nightshift ${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  }
  const capacity = await nightshift(['capacity', '--json'], { address: t.env.address, cwd, env });
  assert.equal(
    (JSON.parse(capacity.stdout) as { slots: { max: number } }).slots.max,
    20,
    'the example config was read',
  );
});
