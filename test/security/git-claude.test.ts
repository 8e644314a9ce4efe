// Issue 25 rows 1 and 3 through the real `claude` CLI: a scripted model whose Bash tool call runs the attack, as a
// prompt-injected agent would. Sandboxed, the write is refused; unconfined, the engine reports the tampering. Either
// way the worker's git runs no fsmonitor on the host and the user's `main` neither moves nor disappears.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { jobOutcome, startJob } from '../../src/client/jobs.js';
import { primaryDirectory, turns } from '../../src/dev/scripted-model/anthropic.js';
import type { JobResult } from '../../src/protocol/result.js';
import { claudeBackend } from '../support/claude.js';
import { fsmonitorViaGitFile, headOntoMain } from './git-attacks.js';
import { makeRepo } from '../support/repo.js';
import { useTemporalAndModel } from '../support/suite.js';
import { startWorker } from '../support/temporal.js';

const t = useTemporalAndModel();
// Outside /tmp and every workspace: only the host itself can write here (the sandbox's / is read-only).
const scratch = mkdtempSync('/var/tmp/nightshift-git-claude-');
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs one claude job whose only tool call is `attack` in claude's Bash tool (cwd: the workspace). */
async function claudeAttack(attack: string, sandbox: 'bwrap' | 'off', repo: string): Promise<JobResult> {
  let dir = '';
  t.stub.setScript((body, i) => {
    dir ||= primaryDirectory(body) ?? '';
    const command = `cd "${dir}" && ${attack}`;
    return turns([
      { kind: 'message', blocks: [{ type: 'tool_use', name: 'Bash', input: { command, description: 'tidy up' } }] },
      { kind: 'message', blocks: [{ type: 'text', text: 'Done.' }] },
    ])(body, i);
  });
  const h = await startWorker(t.env, {
    backends: { claude: claudeBackend(t.stub.url) },
    sandbox: { allowJobOff: true },
  });
  try {
    const raw = { prompt: 'tidy the repo', repo, kind: 'coding-agent', sandbox, maxAttempts: 1 };
    const spec = resolveJobSpec(raw, h.config);
    await startJob(t.env.client, h.config, spec);
    const { result, error } = await jobOutcome(t.env.client, spec.jobId);
    assert.ok(result, String(error));
    return result;
  } finally {
    await h.stop();
  }
}

const sha = async (repo: string, ref: string): Promise<string> =>
  (await execa('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: repo, reject: false })).stdout.trim();

for (const sandbox of ['bwrap', 'off'] as const) {
  test(`row 1 via claude's Bash (${sandbox}): a .git redirected to a repo with core.fsmonitor runs nothing on the host`, async () => {
    const repo = await makeRepo();
    const pwned = join(scratch, `row1-${sandbox}`);
    const attack = fsmonitorViaGitFile(pwned).join('; ');
    const r = await claudeAttack(attack, sandbox, repo);
    assert.ok(!existsSync(pwned), 'the fsmonitor command never ran on the host');
    if (sandbox === 'off') {
      assert.equal(r.failureClass, 'WorkspaceTampered', JSON.stringify(r));
      assert.ok(r.tampered?.includes('.git'), JSON.stringify(r.tampered));
      assert.equal(r.commit, undefined);
    } else {
      assert.equal(r.status, 'succeeded', r.failureMessage);
      assert.equal(r.tampered, undefined);
      assert.equal(r.commit?.branch, `nightshift/${r.jobId}`, JSON.stringify(r));
    }
  });

  test(`row 3 via claude's Bash (${sandbox}): HEAD pointed at main moves nothing of the user's`, async () => {
    const repo = await makeRepo();
    const main = await sha(repo, 'refs/heads/main');
    const attack = headOntoMain().join('; ');
    const r = await claudeAttack(attack, sandbox, repo);
    assert.equal(await sha(repo, 'refs/heads/main'), main, "the user's main did not move and still exists");
    if (sandbox === 'off') {
      assert.equal(r.failureClass, 'WorkspaceTampered', JSON.stringify(r));
      assert.ok(r.tampered?.includes('HEAD'), JSON.stringify(r.tampered));
      assert.equal(r.commit, undefined);
    } else {
      assert.equal(r.status, 'succeeded', r.failureMessage);
      assert.equal(r.commit?.branch, `nightshift/${r.jobId}`, 'its work on its own branch, not main');
      assert.equal(await sha(repo, `refs/heads/nightshift/${r.jobId}`), r.commit?.sha);
    }
  });
}
