import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Pids of live processes whose working directory is inside `dir` (the agent and its children); `sandbox: false`
 * leaves out bubblewrap's own processes (the sandbox around them).
 */
export function processesIn(dir: string, o: { sandbox?: boolean } = {}): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const bwrap =
        o.sandbox === false && ['bwrap', 'tini'].includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim());
      if (!bwrap && (cwd === dir || cwd.startsWith(dir + '/'))) pids.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return pids;
}

export async function waitFor(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
