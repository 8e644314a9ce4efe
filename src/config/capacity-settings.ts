import type { CapacitySettings } from '../protocol/capacity.js';
import type { Config } from './schema.js';

export function capacitySettings(config: Config): CapacitySettings {
  return { ...config.capacity };
}
