// Issue 25 rows 1–4: a malicious `command` agent rewrites its workspace's git metadata so that the worker's own git
// runs its command on the host, commits onto the user's `main`, or (through the check) writes the source repo's
// hooks. Each attack, sandboxed (the write is refused) and unconfined (the engine sees the tampering): the marker
// the command would create never appears, `main` stays put, the source repo's hooks and config are untouched.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { jobOutcome, startJob } from '../../src/client/jobs.js';
import { openLedger } from '../../src/ledger/db.js';
import type { JobResult } from '../../src/protocol/result.js';
import { bwrapOnHost } from '../../src/sandbox/detect.js';
import { makeRepo } from '../support/repo.js';
import { startTemporal, startWorker, type Harness } from '../support/temporal.js';
import { fsmonitorViaGitFile, headOntoMain } from './git-attacks.js';

// Outside /tmp and every workspace: only the host itself can write here (the sandbox's / is read-only).
const scratch = mkdtempSync('/var/tmp/nightshift-git-attack-');
let env: TestWorkflowEnvironment;
let h: Harness;
before(async () => {
  assert.ok(bwrapOnHost().path, `bubblewrap must work here: ${bwrapOnHost().error}`);
  env = await startTemporal();
  // The agent runs its prompt as a shell script: what an injected agent's Bash tool does.
  const command = { command: 'sh', extraArgs: ['-c', 'eval "$NIGHTSHIFT_PROMPT"'] };
  h = await startWorker(env, { backends: { command }, sandbox: { allowJobOff: true } });
});
after(async () => {
  await h?.stop();
  await env?.teardown();
  rmSync(scratch, { recursive: true, force: true });
});

let n = 0;
const marker = (): string => join(scratch, `pwned-${++n}`);
const sha = async (repo: string, ref: string): Promise<string> =>
  (await execa('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: repo, reject: false })).stdout.trim();
/** The source repo's own hooks and config: what the next job's host git would read. */
const repoState = (repo: string): string =>
  [readFileSync(join(repo, '.git', 'config'), 'utf8'), ...readdirSync(join(repo, '.git', 'hooks')).sort()].join('\n');

/** The ledger's record of what a job's agent tampered with. */
async function ledgerTampered(jobId: string): Promise<string[] | null | undefined> {
  const ledger = await openLedger(h.config.ledger.url ?? '');
  try {
    const q = 'SELECT tampered FROM ledger_jobs WHERE job_id = $1';
    return (await ledger.db.query<{ tampered: string[] | null }>(q, [jobId])).rows[0]?.tampered;
  } finally {
    await ledger.close();
  }
}

async function runJob(raw: Record<string, unknown>): Promise<JobResult> {
  // Its errors in its output (the final text): a refused write shows there.
  const prompt = `exec 2>&1\n${String(raw['prompt'])}`;
  const spec = resolveJobSpec({ backend: 'command', maxAttempts: 1, ...raw, prompt }, h.config);
  await startJob(env.client, h.config, spec);
  const { result, error } = await jobOutcome(env.client, spec.jobId);
  assert.ok(result, String(error));
  return result;
}

/** Sandboxed, the write is refused; unconfined, it lands and the engine reports the job tampered, uncommitted. */
function assertStopped(r: JobResult, sandbox: 'bwrap' | 'off', what: string): void {
  if (sandbox === 'off') {
    assert.equal(r.status, 'failed', `a tampered workspace fails its job: ${JSON.stringify(r)}`);
    assert.equal(r.failureClass, 'WorkspaceTampered', r.failureMessage);
    assert.ok(r.tampered?.includes(what), `tampered lists ${what}: ${JSON.stringify(r.tampered)}`);
    assert.equal(r.commit, undefined, 'nothing committed from a tampered workspace');
  } else {
    assert.equal(r.tampered, undefined, `nothing to report: the write was refused (${JSON.stringify(r.tampered)})`);
    assert.match(r.finalText, /Read-only file system|Permission denied|Device or resource busy/, r.finalText);
  }
}

for (const sandbox of ['bwrap', 'off'] as const) {
  test(`row 1 (${sandbox}): a .git file pointing at a repo with core.fsmonitor runs nothing on the host`, async () => {
    const repo = await makeRepo();
    const pwned = marker();
    const prompt = fsmonitorViaGitFile(pwned).join('\n');
    const r = await runJob({ prompt, repo, sandbox });
    assert.ok(!existsSync(pwned), 'the fsmonitor command never ran on the host');
    assertStopped(r, sandbox, '.git');
    // Sandboxed, its work is committed on its own branch (the nested repo left out: it is no work of the repo's).
    if (sandbox === 'bwrap') assert.equal(r.commit?.branch, `nightshift/${r.jobId}`, JSON.stringify(r));
    if (sandbox === 'off') assert.deepEqual(await ledgerTampered(r.jobId), r.tampered, 'the ledger keeps it too');
  });

  test(`row 2 (${sandbox}): a commondir pointing at a bare repo with core.fsmonitor runs nothing on the host`, async () => {
    const repo = await makeRepo();
    const pwned = marker();
    const prompt = [
      'git init -q --bare "$PWD/.evil.git"',
      `git -C .evil.git config core.fsmonitor 'touch ${pwned}; false'`,
      'echo "$PWD/.evil.git" > "$(git rev-parse --git-dir)/commondir"',
      'echo work > work.txt',
    ].join('\n');
    const r = await runJob({ prompt, repo, sandbox });
    assert.ok(!existsSync(pwned), 'the fsmonitor command never ran on the host');
    assertStopped(r, sandbox, 'commondir');
  });

  for (const exit of [0, 1]) {
    test(`row 3 (${sandbox}, exit ${exit}): HEAD pointed at main moves nothing of the user's`, async () => {
      const repo = await makeRepo();
      const main = await sha(repo, 'refs/heads/main');
      const prompt = [...headOntoMain(), `exit ${exit}`].join('\n');
      const r = await runJob({ prompt, repo, sandbox });
      assert.equal(await sha(repo, 'refs/heads/main'), main, "the user's main did not move and still exists");
      assert.ok(!(await sha(repo, `refs/heads/nightshift/${r.jobId}-failed`)) || r.commit, 'no -failed branch of main');
      if (sandbox === 'off') {
        assert.ok(r.tampered?.includes('HEAD'), JSON.stringify(r));
        assert.equal(r.commit, undefined);
        if (exit === 0) assert.equal(r.failureClass, 'WorkspaceTampered', r.failureMessage);
      } else {
        assert.equal(r.tampered, undefined);
        // The work went where the engine put it: the job's own branch (or its -failed name).
        const branch = exit === 0 ? `nightshift/${r.jobId}` : `nightshift/${r.jobId}-failed`;
        assert.equal(r.commit?.branch, branch, JSON.stringify(r));
        assert.equal(await sha(repo, `refs/heads/${branch}`), r.commit?.sha);
      }
    });
  }

  test(`row 4 (${sandbox}): a .git aimed at the source repo lets no check write its hooks for the host`, async () => {
    const repo = await makeRepo();
    const pwned = marker();
    const before = repoState(repo);
    const prompt = `echo "gitdir: ${repo}/.git" > .git\necho work > work.txt`;
    const hook = `#!/bin/sh\ntouch ${pwned}\n`;
    const check = [
      'sh',
      '-c',
      `printf '${hook}' > "$(git rev-parse --git-dir)/hooks/post-checkout"; chmod +x "$(git rev-parse --git-dir)/hooks/post-checkout"; git config core.fsmonitor 'touch ${pwned}; false'; true`,
    ];
    const r = await runJob({ prompt, repo, sandbox, check });
    if (sandbox === 'bwrap') assert.equal(repoState(repo), before, "the source repo's hooks and config are untouched");
    else assert.ok(r.tampered?.includes('.git'), JSON.stringify(r));
    // The next ordinary job on that repo: the host's git runs no hook and no fsmonitor of the repo's.
    const next = await runJob({ prompt: 'echo more > more.txt', repo, sandbox: 'bwrap' });
    assert.equal(next.status, 'succeeded', next.failureMessage);
    assert.ok(!existsSync(pwned), 'no hook or fsmonitor of the source repo ran on the host');
  });
}

test('a filter driver named in .gitattributes: the agent cannot define it in any config host git reads', async () => {
  const repo = await makeRepo();
  const pwned = marker();
  const before = repoState(repo);
  const driver = `[filter "evil"]\n\tclean = touch ${pwned}; cat\n\tsmudge = touch ${pwned}; cat\n`;
  const prompt = [
    'echo "* filter=evil" > .gitattributes',
    `git config filter.evil.clean 'touch ${pwned}; cat'`,
    `printf '${driver}' >> "$(git rev-parse --git-common-dir)/config"`,
    `printf '[extensions]\\n\\tworktreeConfig = true\\n${driver}' >> "$(git rev-parse --git-dir)/config.worktree"`,
    `printf '${driver}' >> "$(git rev-parse --git-dir)/config"`,
    'echo work > work.txt',
  ].join('\n');
  const r = await runJob({ prompt, repo });
  assert.equal(r.status, 'succeeded', r.failureMessage);
  assert.ok(!existsSync(pwned), 'no clean or smudge filter ran on the host');
  assert.equal(repoState(repo), before, "the repo's config is untouched");
  assert.deepEqual(r.filesChanged, ['.gitattributes', 'work.txt']);
});
