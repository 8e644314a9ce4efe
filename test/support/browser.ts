// The dashboard under a real browser: the OS's headless Chromium (never a downloaded one) driven by playwright-core,
// against a real worker (the slow `command` agent) and the real HTTP server.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHttpServer } from '../../src/http/server.js';
import { slowAgent } from './slow-agent.js';
import { startWorker, type Harness } from './temporal.js';

export const CHROMIUM = process.env['NIGHTSHIFT_CHROMIUM'] ?? '/usr/bin/chromium';

/** As root Chromium needs --no-sandbox; /dev/shm in containers is small. */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });

export interface DashboardStack {
  harness: Harness;
  url: string;
  token: string;
  /** An API call with the bearer token: the parsed JSON and the status. */
  api<T = Record<string, unknown>>(path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Submits a `command` job (workspace none) and returns its id. */
  submit(prompt: string, lane?: string): Promise<string>;
  stop(): Promise<void>;
}

/** A worker whose `command` agent sleeps `sleepSeconds`, and the HTTP server on a free port with a token; `raw`
 * is merged into the config (`http` into its http section). */
export async function startDashboardStack(
  env: TestWorkflowEnvironment,
  sleepSeconds: number,
  raw: Record<string, unknown> = {},
): Promise<DashboardStack> {
  const agent = slowAgent(sleepSeconds);
  const token = `dash-${Math.random().toString(36).slice(2)}-token`;
  const harness = await startWorker(env, {
    backends: { command: agent.backend },
    sandbox: agent.sandbox,
    defaultBackend: 'command', // the ask box names no backend
    ...raw,
    http: { port: 0, token, ...(raw['http'] as object | undefined) },
  });
  const server = await startHttpServer({ config: harness.config, client: env.client });
  const api = async <T>(path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(server.url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  // The server's first ledger connect (to PGlite in this very process) can outlast pg's 3 s connect timeout while
  // Chromium starts beside it: make it now, so the page's first read finds the pool connected.
  await api('/api/stats?by=backend');
  return {
    harness,
    url: server.url,
    token,
    api,
    async submit(prompt, lane = 'background') {
      const res = await api<{ jobId?: string; error?: string }>('/api/jobs', {
        prompt,
        lane,
        kind: 'llm',
        backend: 'command',
        workspace: 'none',
      });
      if (res.status !== 201 || !res.body.jobId) throw new Error(`submit: ${res.status} ${res.body.error ?? ''}`);
      return res.body.jobId;
    },
    async stop() {
      await server.close();
      await harness.stop();
    },
  };
}

export interface OpenPage {
  page: Page;
  /** Uncaught errors in the page. */
  errors: string[];
  /** Requests to anywhere but the server (a CDN, a web font): the page must work offline. */
  foreign: string[];
}

/** A fresh page (its own context: a cold cache) on the dashboard, watched for errors and foreign requests. */
export async function openDashboard(browser: Browser, stack: DashboardStack): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(`${stack.url}/`) && !r.url().startsWith('data:')) foreign.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  // The login URL `nightshift dev` prints: the page trades the fragment's token for its HttpOnly cookie.
  await page.goto(`${stack.url}/login#token=${encodeURIComponent(stack.token)}`);
  // Live: the event stream is open, and the first capacity view is on the page.
  await page.locator('[data-testid="conn"][data-state="live"]').waitFor({ timeout: 60_000 });
  return { page, errors, foreign };
}
