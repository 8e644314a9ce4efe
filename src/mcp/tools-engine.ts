// The MCP tools that read the engine or ask for a bake-off: capacity, stats, compare.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resolveCompare, startCompare } from '../client/compares.js';
import { capacityView } from '../client/jobs.js';
import { GROUP_BY, parseSince } from '../ledger/stats.js';
import { UsageError } from '../support/usage-error.js';
import { answer } from './answer.js';
import type { McpDeps } from './deps.js';

export function registerEngineTools(server: McpServer, { client, config, ledger }: McpDeps): void {
  server.registerTool(
    'nightshift_capacity',
    { description: 'Slots per lane, queues, tokens in the window, backpressure and why, limited backends' },
    async () =>
      answer(async () => {
        const { tokens, ...view } = await capacityView(client, config);
        const { charges: _charges, ...window } = tokens; // per-job charges: noise for a caller deciding what to do
        return { ...view, tokens: window };
      }),
  );

  server.registerTool(
    'nightshift_stats',
    {
      description: 'Jobs, success and revised rates, p50/p95, tokens and cost per backend (or kind, lane, host)',
      inputSchema: {
        by: z.enum(GROUP_BY).optional(),
        since: z.string().optional().describe('a duration: 24h, 7d (default: all)'),
      },
    },
    async ({ by, since }) =>
      answer(async () => {
        const ago = since === undefined ? undefined : parseSince(since);
        if (since !== undefined && ago === undefined)
          throw new UsageError(`since: expected a duration like 24h or 7d, got "${since}"`);
        return (await ledger.get()).stats(by ?? 'backend', ago === undefined ? undefined : Date.now() - ago);
      }),
  );

  server.registerTool(
    'nightshift_compare',
    {
      description: 'A bake-off: the same task on several backends in parallel, each in its own worktree and branch',
      inputSchema: {
        task: z.string().min(1),
        backends: z.array(z.string().min(1)).min(2).describe('e.g. ["claude","codex"]'),
        repo: z.string().min(1).describe('a local git repo'),
        check: z.array(z.string().min(1)).min(1).optional(),
      },
    },
    async (a) =>
      answer(async () => {
        const spec = await resolveCompare(
          { prompt: a.task, backends: a.backends.join(','), repo: a.repo, ...(a.check ? { check: a.check } : {}) },
          config,
        );
        await startCompare(client, config, spec);
        return { compareId: spec.compareId, jobs: spec.specs.map((j) => ({ backend: j.backend, jobId: j.jobId })) };
      }),
  );
}
