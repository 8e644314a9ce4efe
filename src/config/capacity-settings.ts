import type { CapacitySettings } from '../protocol/capacity.js';
import { capacityNotifySettings } from './notify-settings.js';
import type { Config } from './schema.js';

export function capacitySettings(config: Config): CapacitySettings {
  const notify = capacityNotifySettings(config);
  // Absent when no webhook listens: the singleton's input stays what it was before notifications.
  return notify ? { ...config.capacity, notify } : { ...config.capacity };
}
