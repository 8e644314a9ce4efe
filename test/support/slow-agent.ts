import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../fixtures/slow-agent.sh', import.meta.url));

/** The `command` backend running the slow-agent fixture; returns its config and a reader for its log. */
export function slowAgent(sleepSeconds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-agentlog-'));
  const log = join(dir, 'agent.log');
  return {
    backend: { command: SCRIPT, env: { AGENT_LOG: log, AGENT_SLEEP: String(sleepSeconds) } },
    /** The log is outside every workspace: the sandbox lets the agent write it. */
    sandbox: { writable: [dir] },
    /** Agent intervals by prompt: [start, end] epoch ms. */
    intervals(): Map<string, { start: number; end?: number }> {
      const m = new Map<string, { start: number; end?: number }>();
      if (!existsSync(log)) return m;
      for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
        const [ts, what, ...rest] = line.split(' ');
        const key = rest.join(' ');
        if (what === 'start') m.set(key, { start: Number(ts) });
        else if (what === 'end') m.get(key)!.end = Number(ts);
      }
      return m;
    },
  };
}

/** The most intervals open at one instant. */
export function maxOverlap(intervals: { start: number; end?: number }[]): number {
  const points = intervals.flatMap((i) => [
    [i.start, 1],
    [i.end ?? Infinity, -1],
  ]);
  points.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let max = 0;
  for (const [, d] of points) max = Math.max(max, (open += d!));
  return max;
}
