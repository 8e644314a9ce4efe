// Issue 25 row 7: `repos[].setup` (`npm install`) runs what the repo says (a `postinstall` an agent wrote): real npm,
// real bwrap, real git, real Temporal. It writes nothing outside its worktree and cache dirs, and sees no key.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { jobOutcome, startJob } from '../../src/client/jobs.js';
import { landQueues } from '../../src/client/land.js';
import type { LandEntry } from '../../src/protocol/land.js';
import type { JobResult } from '../../src/protocol/result.js';
import { bwrapOnHost } from '../../src/sandbox/detect.js';
import { waitFor } from '../support/procs.js';
import { makeRepo } from '../support/repo.js';
import { startTemporal, startWorker, type Harness } from '../support/temporal.js';

// Outside /tmp (the sandbox's /tmp is private): the worker's home and a dir outside any repo, both on the host.
const scratch = mkdtempSync('/var/tmp/nightshift-setup-');
const workerHome = join(scratch, 'home');
const outside = join(scratch, 'outside');
mkdirSync(workerHome);
mkdirSync(outside);
const SECRETS = { ANTHROPIC_API_KEY: 'sk-ant-setup-worker-secret', GITHUB_TOKEN: 'ghp-setup-worker-secret' };
Object.assign(process.env, { HOME: workerHome, ...SECRETS });
const BACKEND_SECRET = 'command-backend-setup-secret';
const tag = `nightshift-setup-${process.pid}`;

let env: TestWorkflowEnvironment;
before(async () => {
  assert.ok(bwrapOnHost().path, `bubblewrap must work here (npm run setup installs it): ${bwrapOnHost().error}`);
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(`/root/${tag}`, { force: true });
});

/** The hostile install script: every write it tries outside its worktree, then its environment into a cache dir. */
function evilScript(dataDir: string, name: string, exitCode: number): string {
  const targets = [join(workerHome, 'pwned'), join(dataDir, 'pwned'), `/root/${tag}`, join(outside, 'pwned')];
  return [
    '#!/bin/sh',
    `for f in ${targets.map((t) => `'${t}'`).join(' ')}; do`,
    '  if echo pwned > "$f" 2>/dev/null; then echo "wrote $f"; else echo "refused $f"; fi',
    'done',
    `echo host > /tmp/${tag}-${name}`,
    `env > "$DUMP_DIR/env-${name}"`,
    'echo "home=$HOME"',
    `exit ${exitCode}`,
    '',
  ].join('\n');
}

const pkg = (postinstall?: string) =>
  JSON.stringify({ name: 'victim', version: '1.0.0', private: true, scripts: postinstall ? { postinstall } : {} });

/** A worker whose repos run `npm install` (offline: no dependencies) with a cache dir the script dumps into. */
async function hostileWorker(extra: Record<string, unknown> = {}): Promise<Harness> {
  const repos = [
    {
      match: '/',
      setup: ['npm', 'install', '--offline', '--no-audit', '--no-fund'],
      cacheDirs: { DUMP_DIR: 'cache/dump' },
      env: { SETUP_FLAVOR: 'plain', npm_config_update_notifier: 'false' },
    },
  ];
  // A malicious agent: its prompt is a shell script, as an injected agent's Bash tool would run it.
  const extraArgs = ['-c', 'eval "$NIGHTSHIFT_PROMPT"'];
  const command = { command: 'sh', extraArgs, env: { COMMAND_TOKEN: BACKEND_SECRET } };
  return startWorker(env, { backends: { command }, repos, ...extra });
}

async function runJob(h: Harness, raw: Record<string, unknown>): Promise<JobResult> {
  const spec = resolveJobSpec({ backend: 'command', maxAttempts: 1, kind: 'coding-agent', ...raw }, h.config);
  await startJob(env.client, h.config, spec);
  const { result, error } = await jobOutcome(env.client, spec.jobId);
  assert.ok(result, String(error));
  return result;
}

/**
 * Nothing the script wrote outside its worktree is on the host (the home, the data dir and /root are empty tmpfs
 * inside: writes "succeed" there and vanish; the rest of / is read-only); its env dump has no key.
 */
function assertContained(h: Harness, name: string, outputTail: string): Record<string, string> {
  for (const p of [join(workerHome, 'pwned'), join(h.dataDir, 'pwned'), `/root/${tag}`, join(outside, 'pwned')]) {
    assert.ok(!existsSync(p), `${p} written on the host`);
    assert.ok(outputTail.includes(` ${p}\n`), `the outcome shows the attempt on ${p}`);
  }
  assert.ok(outputTail.includes(`refused ${join(outside, 'pwned')}`), 'a dir outside every bind: read-only');
  assert.ok(!existsSync(`/tmp/${tag}-${name}`), 'its /tmp is its own');
  return envDump(h, name);
}

function envDump(h: Harness, name: string): Record<string, string> {
  const text = readFileSync(join(h.dataDir, 'cache/dump', `env-${name}`), 'utf8'); // the script ran: a cache dir
  for (const secret of [...Object.values(SECRETS), BACKEND_SECRET]) assert.ok(!text.includes(secret), secret);
  const vars = Object.fromEntries(
    text.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  assert.notEqual(vars['HOME'], workerHome, 'HOME is not the worker’s');
  assert.equal(vars['SETUP_FLAVOR'], 'plain', 'repos[].env reaches the setup');
  assert.equal(vars['DUMP_DIR'], join(h.dataDir, 'cache/dump'));
  return vars;
}

test('a hostile repo’s postinstall in a job’s fresh-worktree setup: confined, no key, its own HOME', async () => {
  const h = await hostileWorker({ sandbox: { allowJobOff: true } });
  try {
    const repo = await makeRepo({
      'package.json': pkg('sh ./evil.sh'),
      'evil.sh': evilScript(h.dataDir, 'job', 0),
      '.gitignore': 'node_modules/\npackage-lock.json\n',
    });
    const r = await runJob(h, { prompt: 'echo agent-ran > agent.txt', repo });
    assert.equal(r.status, 'succeeded', r.failureMessage);
    assert.equal(r.setup?.exitCode, 0, r.setup?.outputTail);
    assert.equal(r.setup?.sandbox, 'bwrap');
    const vars = assertContained(h, 'job', r.setup?.outputTail ?? '');
    assert.equal(vars['HOME'], join(h.dataDir, 'jobs', r.jobId, 'setup-home'), 'a home of its own, in its job dir');
    assert.match(r.setup?.outputTail ?? '', /home=.*setup-home/);

    // Sandbox off (a job allowed to ask): no file-system confinement, but still the allowlisted environment.
    const repoOff = await makeRepo({
      'package.json': pkg('env > "$DUMP_DIR/env-off"'),
      '.gitignore': 'node_modules/\n',
    });
    const off = await runJob(h, { prompt: 'echo agent-ran > agent.txt', repo: repoOff, sandbox: 'off' });
    assert.equal(off.status, 'succeeded', off.failureMessage);
    assert.equal(off.setup?.sandbox, 'off');
    assert.equal(envDump(h, 'off')['HOME'], join(h.dataDir, 'jobs', off.jobId, 'setup-home'));
  } finally {
    await h.stop();
  }
});

test('row 7: an agent adds a postinstall, the job lands: the landing’s setup is confined and its failure reported', async () => {
  const h = await hostileWorker();
  try {
    const repo = await makeRepo({ 'package.json': pkg(), '.gitignore': 'node_modules/\npackage-lock.json\n' });
    const before = (await execa('git', ['-C', repo, 'rev-parse', 'main'])).stdout;
    // The agent writes the script and the postinstall; its own job's setup ran before it, on the clean package.json.
    const agent = `cat > evil.sh <<'EOF'\n${evilScript(h.dataDir, 'land', 3)}EOF\nprintf '%s' '${pkg('sh ./evil.sh')}' > package.json`;
    const r = await runJob(h, { prompt: agent, repo, land: true, backend: 'command' });
    assert.equal(r.status, 'succeeded', r.failureMessage);
    assert.ok(r.landQueue && !r.landQueue.startsWith('not queued'), r.landQueue);
    const landed = await landingOf(h, r.jobId);
    assert.equal(landed.state, 'failed', 'the hostile setup failed the landing');
    const output = landed.output ?? '';
    assert.match(output, /setup `npm install .*` failed with exit code 3 \(sandbox: bwrap\)/);
    assertContained(h, 'land', output);
    assert.equal((await execa('git', ['-C', repo, 'rev-parse', 'main'])).stdout, before, 'main did not move');
    assertScratchRemoved(h, r.jobId);
  } finally {
    await h.stop();
  }
});

test('the landing’s check runs sandboxed too, in the host’s mode: no write on the host, no key', async () => {
  const h = await hostileWorker();
  try {
    const repo = await makeRepo({ 'package.json': pkg(), '.gitignore': 'node_modules/\npackage-lock.json\n' });
    // Passes in the job's worktree; in the landing's scratch it tries the host, prints its env and fails.
    const script = [
      'case "$PWD" in */land/*) ;; *) exit 0 ;; esac',
      `echo pwned > '${join(workerHome, 'pwned-check')}'`,
      `echo pwned > '${join(outside, 'pwned-check')}' || echo refused-outside`,
      'echo "landing-check home=$HOME"; env; exit 1',
    ].join('\n');
    const r = await runJob(h, { prompt: 'echo x > x.txt', repo, land: true, check: ['sh', '-c', script] });
    assert.equal(r.status, 'succeeded', r.failureMessage);
    const landed = await landingOf(h, r.jobId);
    assert.equal(landed.state, 'check-failed', landed.output);
    const output = landed.output ?? '';
    assert.match(output, /landing-check home=/);
    assert.match(output, /refused-outside/);
    assert.ok(!output.includes(`home=${workerHome}`), 'HOME is not the worker’s');
    for (const secret of [...Object.values(SECRETS), BACKEND_SECRET]) assert.ok(!output.includes(secret), secret);
    for (const p of [join(workerHome, 'pwned-check'), join(outside, 'pwned-check')])
      assert.ok(!existsSync(p), `${p} written on the host`);
  } finally {
    await h.stop();
  }
});

/** The landing's finished entry for a job, once its queue reports it. */
async function landingOf(h: Harness, jobId: string): Promise<LandEntry> {
  let found: LandEntry | undefined;
  await waitFor(
    `the landing of ${jobId} ends`,
    async () => {
      const views = await landQueues(env.client, h.config);
      found = views.flatMap((v) => v.done).find((e) => e.jobId === jobId);
      return found !== undefined;
    },
    120_000,
  );
  assert.ok(found);
  return found;
}

/** A failed setup removes the landing's scratch worktree; its `.setup` dir (the setup's log) stays beside it. */
function assertScratchRemoved(h: Harness, jobId: string): void {
  const land = join(h.dataDir, 'land');
  const queue = readdirSync(land).find((q) => existsSync(join(land, q, `${jobId}.setup`)));
  assert.ok(queue, `the landing's setup dir for ${jobId} under ${land}`);
  assert.match(readFileSync(join(land, queue, `${jobId}.setup`, 'setup.log'), 'utf8'), /refused/);
  assert.ok(!existsSync(join(land, queue, jobId)), 'the scratch worktree is gone');
}
