import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startAnthropicStub, turns, type ScriptedServer } from '../../src/scripted-model/anthropic.js';
import { startTemporal } from './temporal.js';

/** One dev server and one scripted Anthropic server for a test file; torn down after it. */
export function useTemporalAndModel(): { env: TestWorkflowEnvironment; stub: ScriptedServer } {
  const ctx = {} as { env: TestWorkflowEnvironment; stub: ScriptedServer };
  before(async () => {
    ctx.env = await startTemporal();
    ctx.stub = await startAnthropicStub(turns([]));
  });
  after(async () => {
    await ctx.stub?.close();
    await ctx.env?.teardown();
  });
  return ctx;
}
