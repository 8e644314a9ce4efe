// Budgets in money: rolling windows of spend that hold new background work (never kill running jobs).
import { z } from 'zod';

/** `hour`, `day`, or a window in seconds (short windows are for tests and experiments). */
export const BudgetPerSchema = z.union([z.enum(['hour', 'day']), z.number().int().positive()], {
  error: '`hour`, `day` or a positive whole number of seconds',
});

export const BudgetLimitSchema = z.strictObject({
  /** Only this backend's spend counts (and only jobs whose first backend it is are held); unset: all spend. */
  backend: z.string().min(1).optional(),
  usd: z.number().positive(),
  per: BudgetPerSchema,
});

export const BudgetsConfigSchema = z.strictObject({
  limits: z.array(BudgetLimitSchema).default([]),
  /** Background work is always held by a spent budget; interactive only when this is true; the operator never. */
  holdInteractive: z.boolean().default(false),
  /** Backend → USD per million tokens (input+output), for CLIs that report no cost. */
  prices: z.record(z.string().min(1), z.number().nonnegative()).default({}),
});

export type BudgetsConfig = z.infer<typeof BudgetsConfigSchema>;
export type BudgetPer = z.infer<typeof BudgetPerSchema>;

const PER_SECONDS = { hour: 3600, day: 86_400 } as const;

export const perSeconds = (per: BudgetPer): number => (typeof per === 'number' ? per : PER_SECONDS[per]);
/** `day`, `hour`, or `<n>s`: how `nightshift capacity` and the metrics name a window. */
export const perLabel = (per: BudgetPer): string => (typeof per === 'number' ? `${per}s` : per);
