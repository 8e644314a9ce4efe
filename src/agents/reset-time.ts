// Reset times from what a CLI said: epoch markers, "resets 3pm (Europe/Lisbon)", "try again at 3:28 PM".

/** Milliseconds to add to a UTC wall-clock reading to get the instant in `timeZone`. */
export function zoneOffsetMs(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(at / 1000) * 1000;
}

/** The next instant after `now` when the clock in `timeZone` reads hour:minute. */
export function nextClockTime(hour: number, minute: number, timeZone: string, now: number): number {
  const offset = zoneOffsetMs(timeZone, now);
  const local = new Date(now + offset);
  let candidate = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour, minute) - offset;
  if (candidate <= now) candidate += 24 * 3600 * 1000;
  return candidate;
}

function to24(hour: number, meridiem: string | undefined): number {
  if (!meridiem) return hour;
  const pm = meridiem.toLowerCase() === 'pm';
  return (hour % 12) + (pm ? 12 : 0);
}

const validZone = (tz: string | undefined): string | undefined => {
  if (!tz) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    return undefined;
  }
};

/** Parses a reset instant (epoch ms) from error text, or undefined when the text names none. */
export function parseResetTime(text: string, now: number, localZone = 'UTC'): number | undefined {
  const epoch = /limit reached\|(\d{9,13})/i.exec(text);
  if (epoch?.[1]) return epoch[1].length > 10 ? Number(epoch[1]) : Number(epoch[1]) * 1000;
  const resets = /resets (?:at )?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?:\s*\(([^)]+)\))?/i.exec(text);
  if (resets?.[1]) {
    const zone = validZone(resets[4]) ?? localZone;
    return nextClockTime(to24(Number(resets[1]), resets[3]), Number(resets[2] ?? 0), zone, now);
  }
  const again = /try again (?:at|after) (\d{1,2}):(\d{2})\s*(am|pm)?/i.exec(text);
  if (again?.[1]) return nextClockTime(to24(Number(again[1]), again[3]), Number(again[2]), localZone, now);
  const within = /try again in (\d[\d.hms]*)/i.exec(text); // OpenAI: "Please try again in 1m6.5s" / "in 20ms"
  const withinMs = within?.[1] ? durationMs(within[1]) : 0;
  if (withinMs > 0) return now + withinMs;
  const after = /retry[- ]after[:= ]\s*(\d+)\s*(ms|s)?/i.exec(text);
  if (after?.[1]) return now + Number(after[1]) * (after[2] === 'ms' ? 1 : 1000);
  return undefined;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1m6.5s" → 66500; "20ms" → 20; 0 when nothing parses. */
function durationMs(text: string): number {
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g))
    total += Number(n) * (UNIT_MS[unit ?? ''] ?? 0);
  return Math.ceil(total);
}
