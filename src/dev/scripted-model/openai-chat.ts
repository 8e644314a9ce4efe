// A scripted OpenAI Chat Completions API on 127.0.0.1 (opencode, llm, aider run offline against it).
import { sendJson, sleep, startHttpStub, startSse } from './http.js';

export interface ChatToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export type ChatReply =
  | {
      kind: 'message';
      text?: string;
      toolCalls?: ChatToolCall[];
      promptTokens?: number;
      completionTokens?: number;
      delayMs?: number;
    }
  | { kind: 'error'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'hang' };

export interface ChatBody {
  model?: string;
  stream?: boolean;
  tools?: unknown[];
  messages?: { role: string; content: unknown }[];
}

export type ChatScript = (body: ChatBody, index: number) => ChatReply;

export interface ChatServer {
  url: string;
  requests: { path: string; body: ChatBody; at: number; authorization: string | undefined }[];
  usageSent: { prompt: number; completion: number };
  setScript(script: ChatScript): void;
  close(): Promise<void>;
}

/** Replies by turn (assistant messages so far); requests without tools (titles, summaries) get "ok". */
export function chatTurns(replies: ChatReply[], fallback = 'done'): ChatScript {
  return (body) => {
    if (!body.tools?.length) return { kind: 'message', text: 'ok', promptTokens: 0, completionTokens: 0 };
    const step = (body.messages ?? []).filter((m) => m.role === 'assistant').length;
    return replies[step] ?? { kind: 'message', text: fallback };
  };
}

export async function startOpenAiChatStub(initial: ChatScript): Promise<ChatServer> {
  let script = initial;
  let ids = 0;
  const state: Omit<ChatServer, 'url' | 'close'> = {
    requests: [],
    usageSent: { prompt: 0, completion: 0 },
    setScript: (s) => (script = s),
  };
  const http = await startHttpStub(async (req, raw, res) => {
    const path = req.url ?? '/';
    if (req.method === 'GET' && path.endsWith('/models'))
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: 'scripted', object: 'model', owned_by: 'nightshift' }],
      });
    if (req.method !== 'POST' || !path.includes('/chat/completions'))
      return sendJson(res, 404, { error: { message: `no route ${path}` } });
    const body = JSON.parse(raw || '{}') as ChatBody;
    state.requests.push({ path, body, at: Date.now(), authorization: req.headers.authorization });
    const reply = script(body, state.requests.length - 1);
    if (reply.kind === 'hang') return http.hang(res);
    if (reply.kind === 'error') return sendJson(res, reply.status, reply.body, reply.headers);
    if (reply.delayMs) await sleep(reply.delayMs);
    const usage = { prompt_tokens: reply.promptTokens ?? 100, completion_tokens: reply.completionTokens ?? 20 };
    state.usageSent.prompt += usage.prompt_tokens;
    state.usageSent.completion += usage.completion_tokens;
    const fullUsage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    const toolCalls = (reply.toolCalls ?? []).map((c, index) => ({
      index,
      id: `call_${Date.now()}_${++ids}`,
      type: 'function',
      function: { name: c.name, arguments: JSON.stringify(c.arguments) },
    }));
    const finish = toolCalls.length ? 'tool_calls' : 'stop';
    const base = { id: `chatcmpl-${++ids}`, created: Math.floor(Date.now() / 1000), model: body.model ?? 'scripted' };
    if (!body.stream) {
      const message = {
        role: 'assistant',
        content: reply.text ?? null,
        ...(toolCalls.length ? { tool_calls: toolCalls.map(({ index: _i, ...c }) => c) } : {}),
      };
      return sendJson(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message, finish_reason: finish }],
        usage: fullUsage,
      });
    }
    const send = startSse(res);
    const chunk = (delta: unknown, finishReason: string | null = null) =>
      send({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason }] });
    chunk({ role: 'assistant', content: '' });
    if (reply.text) chunk({ content: reply.text });
    if (toolCalls.length) chunk({ tool_calls: toolCalls });
    chunk({}, finish);
    send({ ...base, object: 'chat.completion.chunk', choices: [], usage: fullUsage });
    send('[DONE]');
    res.end();
  });
  return { ...state, url: http.url, close: http.close };
}
