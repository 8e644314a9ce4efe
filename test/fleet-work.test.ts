// Work across the fleet: a warm session whose host is lost, and repos by URL, on one host only, and on none.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { closeSession, openSession, submitToSession, waitForSessionJob } from '../src/client/sessions.js';
import type { FleetHost } from './support/fleet.js';
import { fleetPrompt } from './support/fleet-model.js';
import { t, useFleet, withFleet } from './support/fleet-suite.js';
import { makeOrigin } from './support/git-origin.js';
import { jobFailure } from './support/outcomes.js';

useFleet();

test("a session's host is lost between jobs: the next job runs on the other host in a fresh agent session, and says so", async () => {
  await withFleet(
    () => undefined,
    async (f) => {
      const first = await submitToSession(t.client, f.config, 'fleet', {
        prompt: fleetPrompt('fleet-task-session-1'),
        repo: f.repo,
      });
      const r1 = await waitForSessionJob(t.client, f.config, 'fleet', first.jobId, 200);
      assert.equal(r1.result?.status, 'succeeded', r1.result?.failureMessage);
      const victim = f.hosts.find((h) => h.hostId === r1.result?.host);
      assert.ok(victim && r1.result?.sessionId, 'job 1 ran on a host, in an agent session');
      victim.kill9();
      const second = await submitToSession(t.client, f.config, 'fleet', {
        prompt: fleetPrompt('fleet-task-session-2'),
      });
      const r2 = (await waitForSessionJob(t.client, f.config, 'fleet', second.jobId, 200)).result;
      assert.equal(r2?.status, 'succeeded', r2?.failureMessage);
      assert.notEqual(r2?.host, victim.hostId);
      assert.equal(r2?.freshSession, true);
      assert.match(r2?.freshSessionReason ?? '', new RegExp(`stays on host ${victim.hostId}`));
      assert.notEqual(r2?.sessionId, r1.result?.sessionId, 'a new agent session');
      assert.equal((await openSession(t.client, f.config, 'fleet'))?.host, r2?.host, 'the session now lives there');
      await closeSession(t.client, f.config, 'fleet');
    },
  );
});

test('repos across the fleet: a URL repo is pushed to its origin; a path on one host goes there; a path on none fails', async () => {
  await withFleet(
    () => undefined,
    async (f) => {
      // A URL: the host clones its own mirror, and the job's branch with its commit arrives in the origin.
      const origin = await makeOrigin();
      const urlJob = await f.submit('fleet-task-url', { repo: origin.url });
      const r = await f.result(urlJob);
      assert.equal(r.status, 'succeeded', r.failureMessage);
      assert.equal(r.pushed?.branch, `nightshift/${urlJob}`);
      const inOrigin = await execa('git', ['--git-dir', origin.bare, 'rev-parse', `refs/heads/nightshift/${urlJob}`]);
      assert.equal(inOrigin.stdout.trim(), r.pushed?.commit);
      const file = await execa('git', [
        '--git-dir',
        origin.bare,
        'show',
        `${r.pushed?.commit ?? ''}:fleet-task-url.txt`,
      ]);
      assert.equal(file.stdout.trim(), 'fleet-task-url');
      // A local path only host-b has (inside its private data dir): whichever host takes the job, host-b runs it.
      const [hostA, hostB] = f.hosts as [FleetHost, FleetHost];
      const onlyB = join(f.dataDir, 'repo-only-on-b');
      await execa('nsenter', [`--mount=/proc/${hostB.pid}/ns/mnt`, '--', 'git', 'clone', '-q', f.repo, onlyB]);
      const ids = await Promise.all([1, 2].map((i) => f.submit(`fleet-task-only-b-${i}`, {}, onlyB)));
      for (const id of ids) {
        const rb = await f.result(id);
        assert.equal(rb.status, 'succeeded', rb.failureMessage);
        assert.equal(rb.host, hostB.hostId, `${id} ran where its repo is`);
      }
      assert.ok(!existsSync(hostA.view(onlyB)), 'host-a never had the repo');
      // A path no host has: the job fails at once, naming the path and the hosts tried.
      const nowhere = await f.submit('fleet-task-nowhere', {}, join(f.dataDir, 'no-such-repo'));
      const failure = await jobFailure(t.client, nowhere);
      assert.equal(failure.type, 'WorkspaceFailed');
      assert.match(failure.message, /repo path does not exist on any host \(tried: .*host-a.*\).*no-such-repo/);
      assert.match(failure.message, /host-b/);
    },
  );
});
