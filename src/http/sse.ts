// GET /api/events: Server-Sent Events. A snapshot first (`hello`), then every engine event as it happens; a comment
// line every 15 s keeps proxies from closing an idle stream.
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from './deps.js';
import type { EngineEvent } from './events.js';

const KEEPALIVE_MS = 15_000;

const frame = (e: EngineEvent): string => `event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;

export function registerEvents(app: FastifyInstance, { events }: HttpDeps): void {
  app.get('/api/events', (req, reply) => {
    reply.hijack(); // the stream is ours: Fastify neither serializes nor ends it
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: do not buffer the stream
    });
    res.write('retry: 2000\n\n');
    const snap = events.snapshot();
    res.write(frame({ type: 'hello', data: { ...snap, tokenHistory: events.tokenHistory(), at: Date.now() } }));
    const off = events.subscribe((e) => res.write(frame(e)));
    const ping = setInterval(() => res.write(': ping\n\n'), KEEPALIVE_MS);
    req.raw.on('close', () => {
      off();
      clearInterval(ping);
    });
  });
}
