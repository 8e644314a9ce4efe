// A scripted Gemini API (generateContent / streamGenerateContent) on 127.0.0.1: the `gemini` CLI runs offline against it.
import { sendJson, sleep, startHttpStub, startSse } from './http.js';

export type GeminiPart = { text: string } | { functionCall: { name: string; args: Record<string, unknown> } };

export type GeminiReply =
  | { kind: 'message'; parts: GeminiPart[]; promptTokens?: number; outputTokens?: number; delayMs?: number }
  | { kind: 'error'; status: number; message: string; details?: unknown[]; headers?: Record<string, string> }
  | { kind: 'hang' };

export interface GeminiContent {
  role?: string;
  parts?: Record<string, unknown>[];
}

export interface GeminiBody {
  contents?: GeminiContent[];
  tools?: unknown[];
  systemInstruction?: unknown;
  generationConfig?: Record<string, unknown>;
}

export interface GeminiRequest {
  path: string;
  model: string;
  stream: boolean;
  body: GeminiBody;
  at: number;
}

export type GeminiScript = (body: GeminiBody, index: number, request: GeminiRequest) => GeminiReply;

export interface GeminiServer {
  url: string;
  requests: GeminiRequest[];
  /** Usage the server reported, summed over every successful reply. */
  usageSent: { prompt: number; output: number };
  setScript(script: GeminiScript): void;
  close(): Promise<void>;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** A Google RPC RetryInfo detail: how a 429 says when to retry. */
export const retryInfo = (seconds: number) => ({
  '@type': 'type.googleapis.com/google.rpc.RetryInfo',
  retryDelay: `${seconds}s`,
});

/** Replies by turn (model messages so far); requests without tools (side calls) get a short text. */
export function geminiTurns(replies: GeminiReply[], fallback = 'done'): GeminiScript {
  return (body) => {
    if (!body.tools?.length) return { kind: 'message', parts: [{ text: '{}' }], promptTokens: 0, outputTokens: 0 };
    const step = (body.contents ?? []).filter((c) => c.role === 'model').length;
    return replies[step] ?? { kind: 'message', parts: [{ text: fallback }] };
  };
}

export async function startGeminiStub(initial: GeminiScript): Promise<GeminiServer> {
  let script = initial;
  const state: Omit<GeminiServer, 'url' | 'close'> = {
    requests: [],
    usageSent: { prompt: 0, output: 0 },
    setScript: (s) => (script = s),
  };
  const http = await startHttpStub(async (req, raw, res) => {
    const path = req.url ?? '/';
    const route = /\/models\/([^:/?]+):(generateContent|streamGenerateContent)/.exec(path);
    if (req.method !== 'POST' || !route)
      return sendJson(res, 404, googleError(404, `no route ${req.method ?? ''} ${path}`));
    const request: GeminiRequest = {
      path,
      model: route[1] ?? '',
      stream: route[2] === 'streamGenerateContent',
      body: JSON.parse(raw || '{}') as GeminiBody,
      at: Date.now(),
    };
    state.requests.push(request);
    const reply = script(request.body, state.requests.length - 1, request);
    if (reply.kind === 'hang') return http.hang(res);
    if (reply.kind === 'error')
      return sendJson(res, reply.status, googleError(reply.status, reply.message, reply.details), reply.headers);
    if (reply.delayMs) await sleep(reply.delayMs);
    const prompt = reply.promptTokens ?? 100;
    const output = reply.outputTokens ?? 20;
    state.usageSent.prompt += prompt;
    state.usageSent.output += output;
    const response = {
      candidates: [{ content: { role: 'model', parts: reply.parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: prompt, candidatesTokenCount: output, totalTokenCount: prompt + output },
      modelVersion: request.model,
      responseId: `resp-${state.requests.length}`,
    };
    if (!request.stream) return sendJson(res, 200, response);
    const send = startSse(res);
    send(response);
    res.end();
  });
  return { ...state, url: http.url, close: http.close };
}

function googleError(code: number, message: string, details: unknown[] = []): unknown {
  return { error: { code, message, status: STATUS_NAMES[code] ?? 'UNKNOWN', ...(details.length ? { details } : {}) } };
}

/** Everything the client sent in `contents` (to check a resumed session carries its history). */
export function sentText(body: GeminiBody): string {
  return JSON.stringify(body.contents ?? []);
}

/** The first workspace directory the CLI announces in its session context. */
export function workspaceDirectory(body: GeminiBody): string | undefined {
  for (const part of (body.contents ?? []).flatMap((c) => c.parts ?? [])) {
    const m = typeof part['text'] === 'string' ? /Workspace Directories:\*\*\n\s*- (.+)/.exec(part['text']) : null;
    if (m?.[1]) return m[1].trim();
  }
  return undefined;
}

/** A model turn that calls one tool (an MCP tool as gemini offers it: `mcp_<server>_<tool>`). */
export const functionCall = (name: string, args: Record<string, unknown>): GeminiReply => ({
  kind: 'message',
  parts: [{ functionCall: { name, args } }],
});

/** The names of the functions the client offered the model. */
export function offeredTools(body: GeminiBody): string[] {
  const declarations = (body.tools ?? []).flatMap(
    (t) => (t as { functionDeclarations?: { name?: string }[] }).functionDeclarations ?? [],
  );
  return declarations.map((d) => d.name ?? '');
}

/** What the client sent back for its last tool call: the tool's output (an MCP tool's text) or its error. */
export function lastFunctionResponse(body: GeminiBody): string {
  const parts = (body.contents ?? []).flatMap((c) => c.parts ?? []);
  const response = parts.filter((p) => p['functionResponse']).at(-1)?.['functionResponse'] as
    { response?: { output?: unknown; error?: unknown } } | undefined;
  const answer = response?.response?.output ?? response?.response?.error;
  return typeof answer === 'string' ? answer : JSON.stringify(answer ?? '');
}
