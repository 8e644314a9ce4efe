// Records the histories the replay test checks: a completed claude job and the capacity singleton.
// Run: node --import tsx scripts/record-histories.ts  (re-record only on purpose; old histories must keep replaying)
import { writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { resolveJobSpec } from '../src/client/job-input.js';
import { startJob } from '../src/client/jobs.js';
import { capacityWorkflowId } from '../src/shared/ids.js';
import { primaryDirectory, startAnthropicStub, turns } from '../src/scripted-model/anthropic.js';
import { claudeBackend } from '../test/support/claude.js';
import { makeRepo } from '../test/support/repo.js';
import { startTemporal, startWorker } from '../test/support/temporal.js';

const env = await startTemporal();
let dir = '';
const stub = await startAnthropicStub((body, i) => {
  dir ||= primaryDirectory(body) ?? '';
  return turns([
    { kind: 'message', blocks: [{ type: 'tool_use', name: 'Write', input: { file_path: `${dir}/notes.md`, content: 'recorded\n' } }] },
    { kind: 'message', blocks: [{ type: 'text', text: 'wrote notes.md' }] },
  ])(body, i);
});
const h = await startWorker(env, { backends: { claude: claudeBackend(stub.url) } });
try {
  const repo = await makeRepo();
  const spec = resolveJobSpec({ prompt: 'write notes', repo, kind: 'coding-agent', check: ['git', 'status', '--short'] }, h.config);
  const handle = await startJob(env.client, h.config, spec);
  await handle.result();
  const out = new URL('../test/histories/', import.meta.url);
  writeFileSync(new URL('job-claude-succeeded.json', out), historyToJSON(await handle.fetchHistory()) + '\n');
  const capacity = env.client.workflow.getHandle(capacityWorkflowId(h.config.temporal.taskQueue));
  writeFileSync(new URL('capacity-one-lease.json', out), historyToJSON(await capacity.fetchHistory()) + '\n');
} finally {
  await h.stop();
  await stub.close();
  await env.teardown();
}
