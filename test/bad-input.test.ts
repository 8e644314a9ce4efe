// Bad input: a clear error naming field and value, exit 2, and no workflow started.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { nightshift } from './support/cli.js';
import { startTemporal, startWorker, type Harness } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let h: Harness;
before(async () => {
  env = await startTemporal();
  h = await startWorker(env);
});
after(async () => {
  await h?.stop();
  await env?.teardown();
});

async function workflowsOnQueue(): Promise<number> {
  const { count } = await env.client.workflow.count(`TaskQueue = '${h.config.temporal.taskQueue}'`);
  return count;
}

function dirWithConfig(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-cfg-'));
  writeFileSync(join(dir, 'nightshift.config.json'), JSON.stringify(config));
  return dir;
}

const cases: { name: string; args: string[]; config?: unknown; expect: RegExp[] }[] = [
  { name: 'unknown lane', args: ['submit', 'do it', '--lane', 'nightly'], expect: [/lane/, /"nightly"/] },
  { name: 'unknown backend', args: ['submit', 'do it', '--backend', 'gpt9'], expect: [/backend/, /"gpt9"/] },
  { name: 'unknown kind', args: ['submit', 'do it', '--kind', 'poetry'], expect: [/kind/, /"poetry"/] },
  { name: 'empty prompt', args: ['submit', '   '], expect: [/prompt/] },
  { name: 'unknown sandbox', args: ['submit', 'x', '--sandbox', 'vm'], expect: [/sandbox/, /"vm"/] },
  {
    name: 'sandbox off where the config does not allow it',
    args: ['submit', 'x', '--sandbox', 'off'],
    expect: [/--sandbox/, /"off"/, /sandbox\.allowJobOff/],
  },
  {
    name: 'unknown sandbox mode in config',
    args: ['submit', 'x'],
    config: { sandbox: { mode: 'docker' } },
    expect: [/sandbox\.mode/, /"docker"/],
  },
  { name: 'non-numeric timeout', args: ['submit', 'x', '--timeout', 'soon'], expect: [/--timeout/, /"soon"/] },
  { name: 'negative max attempts', args: ['submit', 'x', '--max-attempts=-1'], expect: [/maxAttempts/, /-1/] },
  {
    name: 'negative timeout, space-separated',
    args: ['submit', 'x', '--timeout', '-5'],
    expect: [/timeoutSeconds/, /-5/],
  },
  { name: 'malformed check argv', args: ['submit', 'x', '--check', '["npm", 3]'], expect: [/--check/] },
  { name: 'unknown flag', args: ['submit', 'x', '--colour', 'red'], expect: [/colour/] },
  {
    name: 'resume on a backend without sessions',
    args: ['submit', 'x', '--backend', 'command', '--resume', 's-1'],
    expect: [/--resume/, /"command"/],
  },
  {
    name: 'repo that does not exist',
    args: ['submit', 'x', '--repo', '/nonexistent/repo'],
    expect: [/--repo/, /"\/nonexistent\/repo"/],
  },
  {
    name: 'unknown defaultBackend names its config key',
    args: ['submit', 'x'],
    config: { defaultBackend: 'gpt9' },
    expect: [/defaultBackend \(config\)/, /"gpt9"/],
  },
  { name: 'unknown command', args: ['sumbit', 'x'], expect: [/command/, /"sumbit"/] },
  {
    name: 'unknown config key',
    args: ['submit', 'x'],
    config: { capacity: { maxSlot: 5 } },
    expect: [/maxSlot/, /capacity/],
  },
  {
    name: 'wrong config type',
    args: ['submit', 'x'],
    config: { capacity: { maxSlots: '20' } },
    expect: [/maxSlots/, /"20"/],
  },
  {
    name: 'reserved slots not below max',
    args: ['submit', 'x'],
    config: { capacity: { maxSlots: 2, reservedOperatorSlots: 2 } },
    expect: [/reservedOperatorSlots \(2\)/, /maxSlots \(2\)/],
  },
  {
    name: 'backend CLI not installed',
    args: ['submit', 'x'],
    config: { backends: { claude: { command: '/nonexistent/bin/claude' } } },
    expect: [/backends\.claude\.command/, /\/nonexistent\/bin\/claude/],
  },
];

for (const c of cases) {
  test(`bad input: ${c.name} → exit 2, names the field, starts nothing`, async () => {
    const cwd = c.config ? dirWithConfig(c.config) : undefined;
    const r = await nightshift(c.args, { address: env.address, harness: h, ...(cwd ? { cwd } : {}) });
    assert.equal(r.exitCode, 2, `stderr: ${r.stderr}`);
    for (const re of c.expect) assert.match(r.stderr, re);
    assert.equal(await workflowsOnQueue(), 0);
  });
}
