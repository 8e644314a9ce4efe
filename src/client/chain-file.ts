// The chain file (YAML or JSON): one zod schema; unknown keys and unknown template references are errors.
import { z } from 'zod';
import { LANES } from '../protocol/job.js';
import { templateRefs } from '../protocol/chain-template.js';

const positive = z.number().int().positive();
const argv = z.union([z.string().trim().min(1), z.array(z.string().min(1)).min(1)]);

/** Settings a step may set and `defaults` may set for every step. */
const stepSettings = {
  backend: z.string().min(1).optional(),
  kind: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  lane: z.enum(LANES).optional(),
  check: argv.optional(),
  timeoutSeconds: positive.optional(),
  hangTimeoutSeconds: positive.optional(),
  maxAttempts: positive.max(20).optional(),
  /** Reruns of a failed step (a fresh child job each time) before onFailure applies. */
  retries: z.number().int().min(0).max(10).optional(),
  fixRounds: z.number().int().min(0).max(10).optional(),
  review: z.string().min(1).optional(),
  reviewRounds: z.number().int().min(1).max(5).optional(),
  reviewModel: z.string().min(1).optional(),
  onFailure: z.enum(['stop', 'continue']).optional(),
};

export const ChainStepSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, 'step id must be lowercase letters, digits and dashes, starting with a letter')
    .refine((id) => !/-\d+$/.test(id), 'step id must not end in -<number> (reserved for retried steps)'),
  prompt: z.string().trim().min(1, 'prompt must not be empty'),
  ...stepSettings,
});
export type ChainStepInput = z.output<typeof ChainStepSchema>;

export const ParallelBlockSchema = z.strictObject({
  parallel: z.array(ChainStepSchema).min(1, 'a parallel block needs at least one step'),
});

export type ParallelBlock = z.output<typeof ParallelBlockSchema>;

/** A step or a `parallel:` block, chosen by the `parallel` key so errors point inside the one that was meant. */
const ChainNodeSchema = z.unknown().transform((value, ctx): ChainStepInput | ParallelBlock => {
  const isBlock = typeof value === 'object' && value !== null && 'parallel' in value;
  const parsed = (isBlock ? ParallelBlockSchema : ChainStepSchema).safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ ...issue, input: value } as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
});

export const ChainFileSchema = z
  .strictObject({
    name: z.string().trim().min(1),
    repo: z.string().min(1).default('.'),
    task: z.string().trim().min(1, 'task must not be empty'),
    defaults: z.strictObject(stepSettings).prefault({}),
    steps: z.array(ChainNodeSchema).min(1, 'a chain needs at least one step'),
  })
  .superRefine((chain, ctx) => checkIdsAndReferences(chain.steps, ctx));
export type ChainFile = z.output<typeof ChainFileSchema>;
export type ChainNodeInput = ChainFile['steps'][number];

/** Unique ids; a prompt may reference only `{{task}}` and steps that finish before it starts. */
function checkIdsAndReferences(nodes: ChainNodeInput[], ctx: z.RefinementCtx): void {
  const done = new Set<string>();
  const seen = new Set<string>();
  nodes.forEach((node, i) => {
    const group =
      'parallel' in node
        ? node.parallel.map((s, j) => ({ s, path: ['steps', i, 'parallel', j] }))
        : [{ s: node, path: ['steps', i] }];
    for (const { s, path } of group) {
      if (seen.has(s.id))
        ctx.addIssue({ code: 'custom', message: `duplicate step id "${s.id}"`, path: [...path, 'id'], input: s.id });
      seen.add(s.id);
      for (const ref of templateRefs(s.prompt)) {
        const bad =
          ref.kind === 'unknown'
            ? `unknown template reference "{{${ref.text}}}" (use {{task}} or {{steps.<id>.output}})`
            : ref.kind === 'step' && !done.has(ref.stepId)
              ? `template reference "{{steps.${ref.stepId}.output}}" names no step that finishes before step "${s.id}"`
              : undefined;
        if (bad) ctx.addIssue({ code: 'custom', message: bad, path: [...path, 'prompt'], input: s.prompt });
      }
    }
    for (const { s } of group) done.add(s.id);
  });
}
