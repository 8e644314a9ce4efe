// A Server-Sent Events reader for tests: every frame of a stream, in order, until closed.
export interface SseEvent {
  type: string;
  data: Record<string, unknown>;
  receivedAt: number;
}

export function readEvents(url: string, headers: Record<string, string> = {}) {
  const events: SseEvent[] = [];
  const abort = new AbortController();
  const done = (async () => {
    const res = await fetch(url, { headers, signal: abort.signal });
    if (!res.ok || !res.body) throw new Error(`GET ${url}: ${res.status}`);
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const type = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (type && data)
          events.push({ type, data: JSON.parse(data) as Record<string, unknown>, receivedAt: Date.now() });
      }
    }
  })().catch((err: unknown) => {
    if (!abort.signal.aborted) throw err; // closed by us: the body ends with AbortError or "terminated"
  });
  return { events, close: () => abort.abort(), done };
}

/** Polls `fn` until it returns a value (not undefined), or fails after `ms`. */
export async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 90_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
