import type { BudgetSettings, CapacitySettings } from '../protocol/capacity.js';
import { perLabel, perSeconds } from './budget-schema.js';
import { capacityNotifySettings } from './notify-settings.js';
import type { Config } from './schema.js';

export function capacitySettings(config: Config): CapacitySettings {
  const notify = capacityNotifySettings(config);
  const budgets = budgetSettings(config);
  // Each absent when unused: the singleton's input stays what it was before notifications and budgets.
  const brains = config.mcp.brainSlots !== undefined ? { brainSlots: config.mcp.brainSlots } : {};
  return { ...config.capacity, ...(notify ? { notify } : {}), ...(budgets ? { budgets } : {}), ...brains };
}

/** Workflows cannot read config: the limits travel with their windows in seconds; none configured → undefined. */
export function budgetSettings(config: Config): BudgetSettings | undefined {
  const { limits, holdInteractive, prices } = config.budgets;
  if (limits.length === 0) return undefined;
  return {
    limits: limits.map((l) => ({
      ...(l.backend !== undefined ? { backend: l.backend } : {}),
      usd: l.usd,
      per: perLabel(l.per),
      perSeconds: perSeconds(l.per),
    })),
    holdInteractive,
    prices: { ...prices },
  };
}
