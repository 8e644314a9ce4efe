// Brains (jobs whose agent mounts `nightshift mcp` and waits on the jobs it hands out) may not hold every shared
// slot: their children need one, or every brain would wait forever on a child that never gets a lease. Pure.
import type { CapacitySettings } from '../../protocol/capacity.js';

interface Brainy {
  brain?: boolean;
}

/** `brainSlots`, else every shared slot but one (at least one brain may always run). */
export const brainLimit = (s: Pick<CapacitySettings, 'maxSlots' | 'reservedOperatorSlots' | 'brainSlots'>): number =>
  s.brainSlots ?? Math.max(1, s.maxSlots - s.reservedOperatorSlots - 1);

/** A brain's request waits (keeping its place, blocking nobody) while brains hold their limit. */
export function brainWaits(
  state: { settings: Parameters<typeof brainLimit>[0]; holders: readonly Brainy[] },
  req: Brainy,
): boolean {
  if (!req.brain) return false;
  return state.holders.filter((h) => h.brain).length >= brainLimit(state.settings);
}
