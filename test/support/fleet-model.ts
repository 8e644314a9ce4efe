// The scripted model for fleet jobs: each job (tagged in its prompt) writes one file, then says so; a test may
// inject a failure, a hang or a delay into a job's first request.
import type { MessagesBody, ScriptedReply } from '../../src/dev/scripted-model/anthropic.js';
import { primaryDirectory } from '../../src/dev/scripted-model/anthropic.js';

const TAG = /fleet-task-[a-z0-9-]+/;

/** What to do with a job's n-th tool-bearing request (1-based): another reply, a delay, or (undefined) the normal one. */
export type Inject = (tag: string, n: number) => ScriptedReply | { delayMs: number } | undefined;

export const fleetPrompt = (tag: string): string => `Write the file for ${tag}.`;

export function fleetScript(inject: Inject = () => undefined) {
  const seen = new Map<string, number>();
  return (body: MessagesBody): ScriptedReply => {
    if (!body.tools?.length) return { kind: 'message', blocks: [{ type: 'text', text: 'ok' }] };
    const tag = TAG.exec(JSON.stringify(body.messages?.[0]?.content ?? ''))?.[0] ?? 'untagged';
    const n = (seen.get(tag) ?? 0) + 1;
    seen.set(tag, n);
    const injected = inject(tag, n);
    if (injected && 'kind' in injected) return injected;
    const reply = normal(body, tag);
    return injected && reply.kind === 'message' ? { ...reply, delayMs: injected.delayMs } : reply;
  };
}

/** Turn 0 writes `<tag>.txt` in the job's directory; turn 1 says so. */
function normal(body: MessagesBody, tag: string): ScriptedReply {
  const turn = (body.messages ?? []).filter((m) => m.role === 'assistant').length;
  if (turn > 0) return { kind: 'message', blocks: [{ type: 'text', text: `Wrote ${tag}.txt.` }] };
  const dir = primaryDirectory(body) ?? '.';
  const input = { file_path: `${dir}/${tag}.txt`, content: `${tag}\n` };
  return { kind: 'message', blocks: [{ type: 'tool_use', name: 'Write', input }] };
}

export const usageLimit = (resetAt: number): ScriptedReply => ({
  kind: 'error',
  status: 429,
  body: {
    type: 'error',
    error: { type: 'rate_limit_error', message: `Claude AI usage limit reached|${Math.floor(resetAt / 1000)}` },
  },
});
