// Issue 25 row 5 from inside a job: a malicious `command` agent (its prompt run as a shell script) calls the API on
// loopback with the row's request — `{"repo": <home>, "workspace": "in-place", "lane": "operator"}`. The egress
// namespace (helper B) normally stops it reaching the port at all; here the agent gets the host network
// (`sandbox.agentNetwork: host`) so this layer is tested alone: without a token it is refused, the kept token is not
// readable from the sandbox, and with a leaked `submit` token the operator lane, in-place and the home are refused.
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveJobSpec } from '../../src/client/job-input.js';
import { jobOutcome, startJob } from '../../src/client/jobs.js';
import { listJobs } from '../../src/client/list-jobs.js';
import { tokenFile } from '../../src/http/auth.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { bwrapOnHost } from '../../src/sandbox/detect.js';
import { startTemporal, startWorker, type Harness } from '../support/temporal.js';

const SUBMIT = 'leaked-submit-token-0123456789';
let env: TestWorkflowEnvironment;
let h: Harness;
let api: HttpServer;

before(async () => {
  assert.ok(bwrapOnHost().path, `bubblewrap must work here: ${bwrapOnHost().error}`);
  env = await startTemporal();
  h = await startWorker(env, {
    backends: { command: { command: 'sh', extraArgs: ['-c', 'eval "$NIGHTSHIFT_PROMPT"'] } },
    sandbox: { agentNetwork: 'host' },
    http: { port: 0, tokens: [{ token: SUBMIT, scope: 'submit' }] },
  });
  api = await startHttpServer({ config: h.config, client: env.client }); // its token generated into the data dir
});
after(async () => {
  await api?.close();
  await h?.stop();
  await env?.teardown();
});

/** The agent's script: each attempt prints `<name>=<HTTP status>`, and whether the kept token could be read. */
function attack(): string {
  const post = (name: string, body: object, auth = '') =>
    `echo "${name}=$(curl -s -o /dev/null -w '%{http_code}' -X POST ${auth} -H 'content-type: application/json' ` +
    `-d '${JSON.stringify(body)}' ${api.url}/api/jobs)"`;
  const row5 = {
    prompt: 'id; cat ~/.ssh/id_rsa',
    backend: 'command',
    repo: homedir(),
    workspace: 'in-place',
    lane: 'operator',
  };
  const bearer = `-H 'authorization: Bearer ${SUBMIT}'`;
  return [
    post('tokenless', row5),
    `if cat ${tokenFile(h.config)} >/dev/null 2>&1; then echo token=read; else echo token=unreadable; fi`,
    post('submit-operator', row5, bearer),
    post('submit-inplace', { ...row5, lane: 'background' }, bearer),
    post('submit-home', { ...row5, lane: 'background', workspace: 'worktree' }, bearer),
  ].join('\n');
}

test('row 5: an agent on loopback gets no job in the home, in place or on the operator lane', async () => {
  const before = (await listJobs(env.client, h.config, { limit: 500 })).rows.length;
  const spec = resolveJobSpec({ prompt: attack(), backend: 'command', workspace: 'none', maxAttempts: 1 }, h.config);
  await startJob(env.client, h.config, spec);
  const { result } = await jobOutcome(env.client, spec.jobId);
  const said = result?.finalText ?? '';
  assert.match(said, /^tokenless=401$/m, said);
  assert.match(said, /^token=unreadable$/m, 'the data dir is hidden from the sandbox');
  assert.match(said, /^submit-operator=403$/m, said);
  assert.match(said, /^submit-inplace=400$/m, said);
  assert.match(said, /^submit-home=400$/m, said);
  const after = (await listJobs(env.client, h.config, { limit: 500 })).rows.length;
  assert.equal(after, before + 1, 'only the attacking job itself');
});
