// `mcp`: what jobs an agent submits through `nightshift mcp` get, and how many slots brains may hold.
import { z } from 'zod';
import { LANES } from '../protocol/job.js';

export const McpConfigSchema = z.strictObject({
  /** The lane of an agent's jobs when it names none. */
  lane: z.enum(LANES).default('background'),
  /** Lanes an agent may ask for: the operator lane is a person's, so it is not among them unless listed. */
  lanes: z.array(z.enum(LANES)).min(1).default(['background', 'interactive']),
  /** Caps on each agent-submitted job's runs (`--max-tokens` / `--max-cost` for them), unless it gives its own. */
  maxTokens: z.number().int().positive().optional(),
  maxCostUsd: z.number().positive().optional(),
  /**
   * Shared slots that jobs mounting the server (`submit --mcp`, "brains") may hold at once; the rest stay for the
   * work they hand out, or brains waiting on children could hold every slot. Default: all shared slots but one.
   */
  brainSlots: z.number().int().positive().optional(),
});

export type McpConfig = z.infer<typeof McpConfigSchema>;
