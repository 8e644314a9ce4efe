// The operator's surface in config: the HTTP API and dashboard, metrics, and webhook notifications.
import { z } from 'zod';
import { LANES } from '../protocol/job.js';

export const NOTIFY_EVENTS = [
  'job.ended',
  'backend.limited',
  'backend.authBroken',
  'backpressure',
  'budget',
  'digest',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
const ENDED = ['succeeded', 'failed', 'no_op', 'cancelled'] as const;

/** 127.x, localhost and ::1: the only addresses that may serve with `http.token: "none"`. */
export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

export const TOKEN_SCOPES = ['operator', 'submit'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
const secret = z.string().min(16, 'a token of at least 16 characters');

export const HttpConfigSchema = z
  .strictObject({
    /** 127.0.0.1 by default; any address needs a token unless `token: "none"` on loopback. */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port (tests). */
    port: z.number().int().min(0).max(65535).default(7700),
    /**
     * The operator's bearer token (or NIGHTSHIFT_HTTP_TOKEN); unset: generated once, kept 0600 in the data dir.
     * "none": no token on a loopback host (explicit dev use); refused on any other host.
     */
    token: z.union([z.literal('none'), secret]).optional(),
    /** More tokens: `submit` may submit and read jobs (never the operator lane), `operator` may do everything. */
    tokens: z.array(z.strictObject({ token: secret, scope: z.enum(TOKEN_SCOPES) })).default([]),
    /** Host names the server answers to besides loopback names (DNS rebinding guard), e.g. ["nightshift.internal"]. */
    hosts: z
      .array(z.string().regex(/^[\w.-]+$|^\[[\da-fA-F:.]+\]$/, 'a host name or address, without port'))
      .default([]),
    /** How often the event stream polls the engine (capacity, running jobs' progress). */
    pollMs: z.number().int().min(50).default(500),
  })
  .superRefine((h, ctx) => {
    if (h.token === 'none' && !isLoopback(h.host))
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: `"none" is allowed only on a loopback http.host (got "${h.host}"): set a token`,
        input: h.token,
      });
  });

export const MetricsConfigSchema = z.strictObject({
  /** host:port for the worker's Temporal SDK metrics (Prometheus text at /metrics); unset: not exported. */
  workerBindAddress: z
    .string()
    .regex(/^[\w.-]+:\d+$/, 'host:port, e.g. 0.0.0.0:9464')
    .optional(),
});

export const WebhookSchema = z.strictObject({
  url: z.url(),
  /** json: the event object; slack: `{text}` for a Slack (or Mattermost, Discord /slack) incoming webhook. */
  format: z.enum(['json', 'slack']).default('json'),
  events: z
    .array(z.enum(NOTIFY_EVENTS))
    .min(1)
    .default([...NOTIFY_EVENTS]),
  /** job.ended only for these statuses / lanes (all when unset). */
  statuses: z.array(z.enum(ENDED)).min(1).optional(),
  lanes: z.array(z.enum(LANES)).min(1).optional(),
  /** Extra request headers (e.g. an Authorization the receiver wants); never logged. */
  headers: z.record(z.string(), z.string()).default({}),
});

export const NotifyConfigSchema = z.strictObject({
  webhooks: z.array(WebhookSchema).default([]),
  /** Backpressure on for longer than this notifies once (per episode). */
  backpressureMinutes: z.number().positive().default(10),
  /** The daily digest (a Temporal Schedule); unset: none. */
  digest: z
    .strictObject({
      cron: z.string().min(1).default('0 8 * * *'),
      timezone: z.string().min(1).default('UTC'),
    })
    .optional(),
  /** Delivery retries: a dead receiver never fails a job, it only runs out of attempts. */
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(50).default(8),
      initialSeconds: z.number().positive().default(2),
      timeoutSeconds: z.number().positive().default(10),
    })
    .prefault({}),
});

export type HttpConfig = z.infer<typeof HttpConfigSchema>;
export type NotifyConfig = z.infer<typeof NotifyConfigSchema>;
export type Webhook = z.infer<typeof WebhookSchema>;
