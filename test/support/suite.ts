import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startAnthropicStub, turns, type ScriptedServer } from '../../src/dev/scripted-model/anthropic.js';
import { startTemporal } from './temporal.js';

/** One dev server and one scripted model server (any protocol) for a test file; torn down after it. */
export function useTemporalAnd<S extends { close(): Promise<void> }>(
  startStub: () => Promise<S>,
): { env: TestWorkflowEnvironment; stub: S } {
  const ctx = {} as { env: TestWorkflowEnvironment; stub: S };
  before(async () => {
    ctx.env = await startTemporal();
    ctx.stub = await startStub();
  });
  after(async () => {
    await ctx.stub?.close();
    await ctx.env?.teardown();
  });
  return ctx;
}

/** One dev server and one scripted Anthropic server for a test file. */
export function useTemporalAndModel(): { env: TestWorkflowEnvironment; stub: ScriptedServer } {
  return useTemporalAnd(() => startAnthropicStub(turns([])));
}
