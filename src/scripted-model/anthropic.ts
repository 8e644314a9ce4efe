// A scripted Anthropic Messages API on 127.0.0.1: lets the real `claude` CLI run offline.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; name: string; input: Record<string, unknown> };

export type ScriptedReply =
  | { kind: 'message'; blocks: ScriptedBlock[]; inputTokens?: number; outputTokens?: number; delayMs?: number }
  | { kind: 'error'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'hang' };

export interface RecordedRequest {
  path: string;
  body: MessagesBody;
  at: number;
}

export interface MessagesBody {
  model?: string;
  stream?: boolean;
  tools?: unknown[];
  system?: unknown;
  messages?: { role: string; content: unknown }[];
}

export type Script = (body: MessagesBody, index: number) => ScriptedReply;

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  usageSent: { input: number; output: number };
  setScript(script: Script): void;
  close(): Promise<void>;
}

/** Replies by turn: the n-th reply is for a conversation with n assistant messages so far. */
export function turns(replies: ScriptedReply[], fallback = 'done'): Script {
  return (body) => {
    if (!body.tools?.length) return { kind: 'message', blocks: [{ type: 'text', text: 'ok' }] };
    const step = (body.messages ?? []).filter((m) => m.role === 'assistant').length;
    return replies[step] ?? { kind: 'message', blocks: [{ type: 'text', text: fallback }] };
  };
}

export async function startAnthropicStub(initial: Script): Promise<ScriptedServer> {
  let script = initial;
  let idCounter = 0;
  const hung: ServerResponse[] = [];
  const state: ScriptedServer = {
    url: '',
    requests: [],
    usageSent: { input: 0, output: 0 },
    setScript: (s) => (script = s),
    close: () => closeServer(server, hung),
  };
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = req.url ?? '/';
    if (req.method !== 'POST' || !path.startsWith('/v1/messages')) return sendJson(res, 200, {});
    const body = JSON.parse(raw || '{}') as MessagesBody;
    if (path.startsWith('/v1/messages/count_tokens')) return sendJson(res, 200, { input_tokens: 10 });
    const index = state.requests.length;
    state.requests.push({ path, body, at: Date.now() });
    const reply = script(body, index);
    if (reply.kind === 'hang') return void hung.push(res);
    if (reply.kind === 'error') return sendJson(res, reply.status, reply.body, reply.headers);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    const input = reply.inputTokens ?? 100;
    const output = reply.outputTokens ?? 20;
    state.usageSent.input += input;
    state.usageSent.output += output;
    const blocks = reply.blocks.map((b) =>
      b.type === 'text' ? b : { ...b, id: `toolu_${Date.now()}_${++idCounter}` },
    );
    const stop = blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
    const message = { id: `msg_${++idCounter}`, type: 'message', role: 'assistant', model: body.model ?? 'claude-scripted' };
    if (!body.stream) {
      const usage = { input_tokens: input, output_tokens: output };
      return sendJson(res, 200, { ...message, content: blocks, stop_reason: stop, usage });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const usage = { input_tokens: input, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    send('message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage } });
    blocks.forEach((block, i) => streamBlock(send, block, i));
    send('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: output } });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

type Send = (event: string, data: unknown) => void;

function streamBlock(send: Send, block: Record<string, unknown>, index: number): void {
  if (block['type'] === 'text') {
    send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block['text'] } });
  } else {
    const start = { type: 'tool_use', id: block['id'], name: block['name'], input: {} };
    send('content_block_start', { type: 'content_block_start', index, content_block: start });
    const partial = JSON.stringify(block['input']);
    send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } });
  }
  send('content_block_stop', { type: 'content_block_stop', index });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function closeServer(server: Server, hung: ServerResponse[]): Promise<void> {
  for (const res of hung) res.destroy();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The working directory claude announces in its system prompt. */
export function primaryDirectory(body: MessagesBody): string | undefined {
  const text = JSON.stringify([body.system, body.messages]);
  return /Primary working directory: ([^\\"]+)/.exec(text)?.[1];
}
