// A scripted OpenAI Responses API on 127.0.0.1 (`POST /v1/responses`, SSE): lets the real `codex` CLI run offline.
import { sendJson, sleep, startHttpStub, startSse } from './http.js';

export interface ResponsesToolCall {
  name: string;
  /** A tool offered inside a namespace (codex offers an MCP server's tools as `mcp__<server>`). */
  namespace?: string;
  arguments: Record<string, unknown>;
}

export type ResponsesReply =
  | {
      kind: 'message';
      text?: string;
      toolCalls?: ResponsesToolCall[];
      inputTokens?: number;
      cachedTokens?: number;
      outputTokens?: number;
      delayMs?: number;
    }
  | { kind: 'error'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'hang' };

/** One input item as the client sends it (messages, function calls, their outputs, …). */
export interface ResponsesItem {
  type?: string;
  role?: string;
  content?: unknown;
  name?: string;
  arguments?: string;
  call_id?: string;
  output?: unknown;
}

export interface ResponsesBody {
  model?: string;
  stream?: boolean;
  instructions?: string;
  tools?: unknown[];
  input?: ResponsesItem[];
}

export type ResponsesScript = (body: ResponsesBody, index: number) => ResponsesReply;

export interface ResponsesServer {
  url: string;
  requests: { path: string; body: ResponsesBody; headers: Record<string, string | string[] | undefined>; at: number }[];
  usageSent: { input: number; cached: number; output: number };
  setScript(script: ResponsesScript): void;
  close(): Promise<void>;
}

const OUTPUT_TYPES = new Set(['function_call_output', 'custom_tool_call_output']);

/** The index of the last real user message (the prompt of the current turn). */
function lastUserIndex(input: ResponsesItem[]): number {
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (item?.role === 'user' && (item.type ?? 'message') === 'message') return i;
  }
  return -1;
}

/** The text of the last user message: this turn's prompt. */
export function lastUserText(body: ResponsesBody): string {
  const input = body.input ?? [];
  const content = input[lastUserIndex(input)]?.content;
  if (typeof content === 'string') return content;
  return (Array.isArray(content) ? content : []).map((c) => String((c as { text?: unknown }).text ?? '')).join('');
}

/** Replies by step within the current turn: the n-th reply answers a turn with n tool outputs so far. */
export function responsesTurns(replies: ResponsesReply[], fallback = 'done'): ResponsesScript {
  return (body) => {
    const input = body.input ?? [];
    const step = input.slice(lastUserIndex(input) + 1).filter((i) => OUTPUT_TYPES.has(i.type ?? '')).length;
    return replies[step] ?? { kind: 'message', text: fallback };
  };
}

export async function startOpenAiResponsesStub(initial: ResponsesScript): Promise<ResponsesServer> {
  let script = initial;
  let ids = 0;
  const state: Omit<ResponsesServer, 'url' | 'close'> = {
    requests: [],
    usageSent: { input: 0, cached: 0, output: 0 },
    setScript: (s) => (script = s),
  };
  const http = await startHttpStub(async (req, raw, res) => {
    const path = req.url ?? '/';
    if (req.method !== 'POST' || !path.endsWith('/responses'))
      return sendJson(res, 404, { error: { message: `no route ${path}` } });
    const body = JSON.parse(raw || '{}') as ResponsesBody;
    state.requests.push({ path, body, headers: req.headers, at: Date.now() });
    const reply = script(body, state.requests.length - 1);
    if (reply.kind === 'hang') return http.hang(res);
    if (reply.kind === 'error') return sendJson(res, reply.status, reply.body, reply.headers);
    if (reply.delayMs) await sleep(reply.delayMs);
    const usage = {
      input: reply.inputTokens ?? 100,
      cached: reply.cachedTokens ?? 0,
      output: reply.outputTokens ?? 20,
    };
    state.usageSent.input += usage.input;
    state.usageSent.cached += usage.cached;
    state.usageSent.output += usage.output;
    const id = `resp_${++ids}`;
    const items = outputItems(reply, () => ++ids);
    const response = {
      id,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      model: body.model ?? 'scripted',
      status: 'in_progress',
      output: [],
    };
    const send = startSse(res);
    const event = (data: Record<string, unknown>): void => send(data, String(data['type']));
    event({ type: 'response.created', response });
    items.forEach((item, index) => streamItem(event, item, index));
    const fullUsage = {
      input_tokens: usage.input,
      input_tokens_details: { cached_tokens: usage.cached },
      output_tokens: usage.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.input + usage.output,
    };
    event({
      type: 'response.completed',
      response: { ...response, status: 'completed', output: items, usage: fullUsage },
    });
    res.end();
  });
  return { ...state, url: http.url, close: http.close };
}

/** The reply as Responses output items: an assistant message, then one `function_call` per tool call (unique call ids). */
function outputItems(
  reply: Extract<ResponsesReply, { kind: 'message' }>,
  nextId: () => number,
): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  if (reply.text !== undefined) {
    const content = [{ type: 'output_text', text: reply.text, annotations: [] }];
    items.push({ type: 'message', id: `msg_${nextId()}`, role: 'assistant', status: 'completed', content });
  }
  for (const call of reply.toolCalls ?? []) {
    const n = nextId();
    items.push({
      type: 'function_call',
      id: `fc_${n}`,
      call_id: `call_${Date.now()}_${n}`,
      name: call.name,
      ...(call.namespace ? { namespace: call.namespace } : {}),
      arguments: JSON.stringify(call.arguments),
      status: 'completed',
    });
  }
  return items;
}

function streamItem(
  event: (data: Record<string, unknown>) => void,
  item: Record<string, unknown>,
  index: number,
): void {
  if (item['type'] !== 'message') {
    event({ type: 'response.output_item.added', output_index: index, item: { ...item, status: 'in_progress' } });
    event({ type: 'response.output_item.done', output_index: index, item });
    return;
  }
  const text = (item['content'] as { text: string }[] | undefined)?.[0]?.text ?? '';
  event({
    type: 'response.output_item.added',
    output_index: index,
    item: { ...item, status: 'in_progress', content: [] },
  });
  event({
    type: 'response.output_text.delta',
    output_index: index,
    content_index: 0,
    item_id: item['id'],
    delta: text,
  });
  event({ type: 'response.output_item.done', output_index: index, item });
}
