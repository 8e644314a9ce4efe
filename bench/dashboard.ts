// The dashboard on this machine: (a) first paint / first contentful paint / first live data of a cold load (a fresh
// browser context each), median of N; (b) how long a job's end takes to reach the page: from the workflow's close
// time (Temporal's clock, same machine) to the page's `job.ended` handler (Date.now() in the page), median and p90.
// Run: npm run bench:dashboard   (node --import tsx bench/dashboard.ts [--loads 10] [--jobs 20])
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openDashboard, startDashboardStack, type DashboardStack } from '../test/support/browser.js';
import { startTemporal } from '../test/support/temporal.js';

const { values } = parseArgs({
  options: { loads: { type: 'string', default: '10' }, jobs: { type: 'string', default: '20' } },
});
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const rank = (xs: number[], p: number): number => sorted(xs)[Math.max(0, Math.ceil(p * xs.length) - 1)] ?? NaN;
const line = (what: string, xs: number[]): string =>
  `${what.padEnd(34)} median ${rank(xs, 0.5).toFixed(0).padStart(5)} ms   p90 ${rank(xs, 0.9).toFixed(0).padStart(5)} ms   (n=${xs.length})`;

interface Paint {
  fp: number;
  fcp: number;
  data: number;
}

/** One cold load: the browser's paint entries, and when the first capacity view was rendered (the page's probe). */
async function coldLoad(browser: Browser, stack: DashboardStack): Promise<Paint> {
  const { page } = await openDashboard(browser, stack);
  await page.locator('[data-testid="slots-summary"]', { hasText: 'slots used' }).waitFor({ timeout: 60_000 });
  const p = (await page.evaluate(`(() => {
    const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
    return { fp: paint['first-paint'], fcp: paint['first-contentful-paint'], data: window.nightshift.firstDataAt };
  })()`)) as Paint;
  await page.context().close();
  return p;
}

/**
 * The page's record of the job's `job.ended` (its handler wrote the times; polling only finds them, it adds nothing
 * to the figure). Read by evaluate: waitForFunction evaluates a string, which the page's CSP (no eval) refuses.
 */
async function endedOnPage(page: Page, id: string): Promise<{ page: number; server: number }> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const seen = await page.evaluate(`window.nightshift.ended[${JSON.stringify(id)}] ?? null`);
    if (seen) return seen as { page: number; server: number };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${id}: its job.ended never reached the page`);
}

async function endLatency(browser: Browser, stack: DashboardStack, env: Awaited<ReturnType<typeof startTemporal>>) {
  const { page } = await openDashboard(browser, stack);
  const toPage: number[] = [];
  const toServer: number[] = [];
  for (let i = 0; i < Number(values.jobs); i++) {
    const id = await stack.submit(`bench ${i}`);
    const seen = await endedOnPage(page, id);
    const closed = (await env.client.workflow.getHandle(id).describe()).closeTime;
    if (!closed) throw new Error(`${id}: no close time`);
    toPage.push(seen.page - closed.getTime());
    toServer.push(seen.server - closed.getTime());
  }
  await page.context().close();
  return { toPage, toServer };
}

const env = await startTemporal();
const stack = await startDashboardStack(env, 0);
const browser = await launchBrowser();
try {
  await coldLoad(browser, stack); // warm-up: the server's first requests, Chromium's first process
  const loads: Paint[] = [];
  for (let i = 0; i < Number(values.loads); i++) loads.push(await coldLoad(browser, stack));
  await stack.submit('warm-up'); // starts the capacity singleton before the timed jobs
  const { toPage, toServer } = await endLatency(browser, stack, env);
  console.log(`dashboard on ${stack.url} (event poll ${stack.harness.config.http.pollMs} ms)`);
  console.log(
    line(
      'first paint',
      loads.map((l) => l.fp),
    ),
  );
  console.log(
    line(
      'first contentful paint',
      loads.map((l) => l.fcp),
    ),
  );
  console.log(
    line(
      'first live data (capacity drawn)',
      loads.map((l) => l.data),
    ),
  );
  console.log(line('job end → server saw it', toServer));
  console.log(line('job end → page job.ended handler', toPage));
} finally {
  await browser.close();
  await stack.stop();
  await env.teardown();
}
