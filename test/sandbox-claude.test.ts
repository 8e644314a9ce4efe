// The real `claude`, told by its scripted model to Write outside its worktree — into the source repo's own checkout
// and into a directory outside any repo: in the sandbox neither file appears and the result lists the refusals;
// unconfined (`sandbox.mode: off`) the write into the checkout lands, and the result and the ledger flag it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import { turns } from '../src/dev/scripted-model/anthropic.js';
import { openLedger } from '../src/ledger/db.js';
import { claudeBackend } from './support/claude.js';
import { makeRepo } from './support/repo.js';
import { useTemporalAndModel } from './support/suite.js';
import { startWorker } from './support/temporal.js';

const t = useTemporalAndModel();
// Outside /tmp: the sandbox's /tmp is private, so a write there would land in it rather than be refused.
const elsewhere = mkdtempSync('/var/tmp/nightshift-elsewhere-');

/** The model Writes both files by absolute path, then answers. Tool-use ids are unique per response. */
function writeBoth(inCheckout: string, outsideAnyRepo: string): void {
  t.stub.setScript(
    turns([
      {
        kind: 'message',
        blocks: [
          { type: 'tool_use', name: 'Write', input: { file_path: inCheckout, content: 'escaped\n' } },
          { type: 'tool_use', name: 'Write', input: { file_path: outsideAnyRepo, content: 'escaped\n' } },
        ],
      },
      { kind: 'message', blocks: [{ type: 'text', text: 'Tried both writes.' }] },
    ]),
  );
}

for (const mode of ['bwrap', 'off'] as const) {
  test(`claude writes outside its worktree, sandbox ${mode}`, async () => {
    const repo = await makeRepo();
    const inCheckout = join(repo, `escaped-${mode}.txt`);
    const outsideAnyRepo = join(elsewhere, `escaped-${mode}.txt`);
    writeBoth(inCheckout, outsideAnyRepo);
    const sandbox = mode === 'off' ? { mode: 'off' } : {};
    const h = await startWorker(t.env, { backends: { claude: claudeBackend(t.stub.url) }, sandbox });
    try {
      const spec = resolveJobSpec({ prompt: 'write outside', repo, backend: 'claude', maxAttempts: 1 }, h.config);
      const result = await (await startJob(t.env.client, h.config, spec)).result();
      assert.equal(result.sandbox, mode);
      if (mode === 'bwrap') {
        assert.ok(!existsSync(inCheckout), 'the source checkout was not written');
        assert.ok(!existsSync(outsideAnyRepo), 'the dir outside any repo was not written');
        assert.deepEqual(result.refusedWrites, [inCheckout, outsideAnyRepo].sort(), JSON.stringify(result));
        assert.equal(result.outsideWrites, undefined);
        return;
      }
      assert.ok(existsSync(inCheckout), 'unconfined, the write landed');
      assert.deepEqual(result.outsideWrites, [inCheckout]);
      const ledger = await openLedger(h.config.ledger.url ?? '');
      try {
        const { rows } = await ledger.db.query<{ sandbox: string; outside_writes: string[] }>(
          'SELECT sandbox, outside_writes FROM ledger_jobs WHERE job_id = $1',
          [spec.jobId],
        );
        assert.deepEqual(rows, [{ sandbox: 'off', outside_writes: [inCheckout] }]);
      } finally {
        await ledger.close();
      }
    } finally {
      await h.stop();
      rmSync(outsideAnyRepo, { force: true });
    }
  });
}
