// The live dashboard in a real browser (headless Chromium) against a real engine: jobs appear and finish without a
// reload, the slot gauges move, a running job is cancelled from its page, an operator question is answered.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openDashboard, startDashboardStack, type DashboardStack } from './support/browser.js';
import { startTemporal } from './support/temporal.js';

const OUT = fileURLToPath(new URL('../test-output/dashboard/', import.meta.url));
const DOCS_SHOT = fileURLToPath(new URL('../docs/dashboard.png', import.meta.url));
const WAIT = { timeout: 60_000 };
const MARKER = 'loaded-once';

let env: TestWorkflowEnvironment;
let stack: DashboardStack;
let browser: Browser;
let page: Page;
let errors: string[];
let foreign: string[];

before(async () => {
  env = await startTemporal();
  // 3 background slots (one reserved for the operator); agents run long enough to be seen, and cancelled, running.
  stack = await startDashboardStack(env, 10, {
    capacity: { maxSlots: 4, reservedOperatorSlots: 1 },
    http: { pollMs: 200 },
  });
  browser = await launchBrowser();
  ({ page, errors, foreign } = await openDashboard(browser, stack));
  // Survives only if the page is never reloaded: everything below must arrive live.
  await page.evaluate(`window.__marker = '${MARKER}'`);
  mkdirSync(OUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  await env?.teardown();
});

const testid = (id: string): string => `[data-testid="${id}"]`;
/** The lane's slot gauge with `data-running` = n, or (n = undefined) anything but 0. */
const gauge = (lane: string, n?: number): string =>
  `${testid(`slots-${lane}`)}${n === undefined ? ':not([data-running="0"])' : `[data-running="${n}"]`}`;
const notReloaded = async (): Promise<void> => assert.equal(await page.evaluate('window.__marker'), MARKER);

test('the shell and its assets are served without a token, only files of the folder; the API needs the token', async () => {
  const get = (path: string, headers: Record<string, string> = {}) => fetch(stack.url + path, { headers });
  const shell = await get('/');
  assert.equal(shell.status, 200);
  assert.match(shell.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(shell.headers.get('cache-control'), 'no-cache');
  const js = await get('/assets/app.js');
  assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match((await get('/assets/app.css')).headers.get('content-type') ?? '', /^text\/css/);
  const again = await get('/assets/app.js', { 'if-none-match': js.headers.get('etag') ?? '' });
  assert.equal(again.status, 304);
  for (const path of [
    '/assets/..%2Fdashboard.ts',
    '/assets/%2e%2e%2fserver.ts',
    '/assets/nope.js',
    '/assets/index.html',
  ])
    assert.equal((await get(path)).status, 404, path);
  assert.equal((await get('/api/capacity')).status, 401);
});

test('the page paints its shell and keeps the token out of the address bar', async () => {
  assert.equal(await page.title(), 'nightshift');
  await page.locator(testid('slots-summary'), { hasText: 'slots used' }).waitFor(WAIT);
  assert.ok(!page.url().includes('token'), page.url());
  await notReloaded();
});

test('submitted jobs appear and finish without a reload; the background gauge goes up and back down', async () => {
  await page.locator(gauge('background', 0)).waitFor(WAIT);
  const ids = [await stack.submit('dashboard job 1'), await stack.submit('dashboard job 2')];
  await page.locator(gauge('background')).waitFor(WAIT);
  const busy = Number(await page.locator(testid('slots-background')).getAttribute('data-running'));
  assert.ok(busy >= 1 && busy <= 2, `background running ${busy}`);
  for (const id of ids) {
    await page.locator(testid(`job-row-${id}`)).waitFor(WAIT);
    await page.locator(`${testid(`job-row-${id}`)}[data-status="succeeded"]`).waitFor(WAIT);
  }
  await page.locator(gauge('background', 0)).waitFor(WAIT);
  await page.locator(testid('stats-command')).waitFor(WAIT); // the ledger's figures refreshed on job.ended
  await notReloaded();
});

test('the ask box runs an operator-lane job and shows its answer', async () => {
  await page.locator(testid('ask-input')).fill('What does the dashboard show?');
  await page.locator(testid('ask-submit')).click();
  const answer = page.locator(`${testid('ask-answers')} li ${testid('ask-answer')}`).first();
  await page.locator(gauge('operator', 1)).waitFor(WAIT);
  await answer.filter({ hasText: 'done What does the dashboard show?' }).waitFor(WAIT);
  await page.locator(gauge('operator', 0)).waitFor(WAIT);
  await notReloaded();
});

test('a running job is cancelled from its page; the screenshot shows the page full of live data', async () => {
  // Five jobs on three slots: three run, two wait in the queue.
  const ids: string[] = [];
  for (let i = 1; i <= 5; i++) ids.push(await stack.submit(`busy job ${i}`));
  await page.locator(gauge('background', 3)).waitFor(WAIT);
  await page
    .locator(`${testid('queue')} li[data-testid^="queued-"]`)
    .first()
    .waitFor(WAIT);
  const running = page.locator(`${testid('running')} tr[data-testid^="running-"]`);
  await running.nth(2).waitFor(WAIT);
  const shot = `${OUT}overview.png`;
  await page.screenshot({ path: shot, fullPage: true });
  if (process.env['NIGHTSHIFT_UPDATE_SCREENSHOT'] === '1') {
    mkdirSync(dirname(DOCS_SHOT), { recursive: true });
    copyFileSync(shot, DOCS_SHOT);
  }

  // The newest of the three (rows go oldest first): the most of its agent's sleep is still ahead.
  const victim = (await running.last().getAttribute('data-testid'))!.replace(/^running-/, '');
  await running.last().locator('a').click();
  await page.locator(`${testid('job-id')}`, { hasText: victim }).waitFor(WAIT);
  await page.locator(testid('cancel')).click(WAIT);
  await page.locator(`${testid('job-status')}[data-status="cancelled"]`).waitFor(WAIT);
  await page.locator(testid('cancel')).waitFor({ state: 'hidden', ...WAIT });
  await page.screenshot({ path: `${OUT}job-cancelled.png`, fullPage: true });
  const job = await stack.api<{ workflowStatus: string; result?: { status: string } }>(`/api/jobs/${victim}`);
  assert.equal(job.status, 200);
  assert.equal(job.body.result?.status ?? job.body.workflowStatus.toLowerCase(), 'cancelled');

  // The rest end on their own; back on the overview, the cancelled job's row says so and the gauge falls to 0.
  await page.locator('a[href="#/"]').first().click();
  await page.locator(`${testid(`job-row-${victim}`)}[data-status="cancelled"]`).waitFor(WAIT);
  for (const id of ids.filter((i) => i !== victim))
    await page.locator(`${testid(`job-row-${id}`)}[data-status="succeeded"]`).waitFor({ timeout: 120_000 });
  await page.locator(gauge('background', 0)).waitFor(WAIT);
  await notReloaded();
  await page.locator(testid('banner')).waitFor({ state: 'hidden', ...WAIT }); // every API read went through
  assert.deepEqual(errors, [], 'no uncaught error in the page');
  assert.deepEqual(foreign, [], 'no request left the server (no CDN, no web font)');
});
