// Every command has its own --help: its usage, its flags and an example; the global help lists them all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandHelp } from '../src/cli/help.js';
import { nightshift } from './support/cli.js';

const COMMANDS = ['submit', 'ask', 'status', 'list', 'cancel', 'capacity', 'history', 'replay', 'compare', 'chain'];
const MORE = ['sessions', 'schedule', 'stats', 'dev', 'worker', 'demo', 'land', 'diff', 'gc'];

test('`<command> --help` is that command’s own page, exit 0', async () => {
  // Every page in process (each CLI start costs seconds); the wiring through the CLI for two of them.
  for (const name of [...COMMANDS, ...MORE]) {
    const page = commandHelp(name) ?? '';
    assert.match(page, new RegExp(`^usage: nightshift ${name}\\b`), name);
    assert.match(page, /\nexample: nightshift /, `${name} has an example`);
  }
  for (const name of ['status', 'demo']) {
    const r = await nightshift([name, '--help']);
    assert.equal(r.exitCode, 0, `${name}: ${r.stderr}`);
    assert.equal(r.stdout.trimEnd(), commandHelp(name)?.trimEnd());
  }
});

test('submit’s page names the flags the global help used to miss; list’s names --limit', async () => {
  const submit = (await nightshift(['submit', '-h'])).stdout;
  for (const flag of ['--fix-rounds', '--review', '--review-rounds', '--hang-timeout', '--id', '--session', '--wait']) {
    assert.ok(submit.includes(flag), `submit --help lists ${flag}`);
  }
  assert.match((await nightshift(['list', '--help'])).stdout, /--limit N/);
  const global = await nightshift(['--help']);
  assert.match(global.stdout, /--version/);
});

test('every flag a command parses is on its help page (the pages cannot drift from the flag tables)', async () => {
  const { OPTIONS: submitFlags } = await import('../src/cli/commands/submit.js');
  const { OPTIONS: compareFlags } = await import('../src/cli/commands/compare.js');
  const { OPTIONS: statsFlags } = await import('../src/cli/commands/stats.js');
  const tables: [string, Record<string, unknown>][] = [
    ['submit', submitFlags],
    ['compare', compareFlags],
    ['stats', statsFlags],
  ];
  for (const [name, flags] of tables) {
    const page = (await nightshift([name, '--help'])).stdout;
    // --prompt is submit's positional spelled as a flag; --no-wait is compare's accepted no-op.
    const missing = Object.keys(flags).filter((f) => !page.includes(`--${f}`) && f !== 'prompt' && f !== 'no-wait');
    assert.deepEqual(missing, [], `${name} --help lacks ${missing.join(', ')}`);
  }
});
