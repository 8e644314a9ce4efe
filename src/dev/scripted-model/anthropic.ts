// A scripted Anthropic Messages API on 127.0.0.1: lets the real `claude` CLI run offline.
import { sendJson, sleep, startHttpStub, startSse } from './http.js';

export type ScriptedBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; name: string; input: Record<string, unknown> };

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
  const state: Omit<ScriptedServer, 'url' | 'close'> = {
    requests: [],
    usageSent: { input: 0, output: 0 },
    setScript: (s) => (script = s),
  };
  const http = await startHttpStub(async (req, raw, res) => {
    const path = req.url ?? '/';
    if (req.method !== 'POST' || !path.startsWith('/v1/messages')) return sendJson(res, 200, {});
    const body = JSON.parse(raw || '{}') as MessagesBody;
    if (path.startsWith('/v1/messages/count_tokens')) return sendJson(res, 200, { input_tokens: 10 });
    state.requests.push({ path, body, at: Date.now() });
    const reply = script(body, state.requests.length - 1);
    if (reply.kind === 'hang') return http.hang(res);
    if (reply.kind === 'error') return sendJson(res, reply.status, reply.body, reply.headers);
    if (reply.delayMs) await sleep(reply.delayMs);
    const input = reply.inputTokens ?? 100;
    const output = reply.outputTokens ?? 20;
    state.usageSent.input += input;
    state.usageSent.output += output;
    // Unique tool-use ids per response: a repeated id makes claude spin.
    const blocks = reply.blocks.map((b) =>
      b.type === 'text' ? b : { ...b, id: `toolu_${Date.now()}_${++idCounter}` },
    );
    const stop = blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
    const message = {
      id: `msg_${++idCounter}`,
      type: 'message',
      role: 'assistant',
      model: body.model ?? 'claude-scripted',
    };
    if (!body.stream) {
      return sendJson(res, 200, {
        ...message,
        content: blocks,
        stop_reason: stop,
        usage: { input_tokens: input, output_tokens: output },
      });
    }
    const send = startSse(res);
    const usage = { input_tokens: input, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    send({ type: 'message_start', message: { ...message, content: [], stop_reason: null, usage } }, 'message_start');
    blocks.forEach((block, i) => streamBlock(send, block, i));
    send(
      { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: output } },
      'message_delta',
    );
    send({ type: 'message_stop' }, 'message_stop');
    res.end();
  });
  return { ...state, url: http.url, close: http.close };
}

type Send = (data: unknown, event?: string) => void;

function streamBlock(send: Send, block: Record<string, unknown>, index: number): void {
  const event = (data: Record<string, unknown>): void => send(data, String(data['type']));
  if (block['type'] === 'text') {
    event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: block['text'] } });
  } else {
    event({
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id: block['id'], name: block['name'], input: {} },
    });
    event({
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify(block['input']) },
    });
  }
  event({ type: 'content_block_stop', index });
}

/** The working directory claude announces in its system prompt. */
export function primaryDirectory(body: MessagesBody): string | undefined {
  const text = JSON.stringify([body.system, body.messages]);
  return /Primary working directory: ([^\\"]+)/.exec(text)?.[1];
}
