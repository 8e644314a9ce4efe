import type { CapacitySettings } from '../workflows/capacity/state.js';
import type { Config } from './schema.js';

export function capacitySettings(config: Config): CapacitySettings {
  return { ...config.capacity };
}
