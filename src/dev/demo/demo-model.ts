// The demo's scripted model: background jobs write a file after a think pause; operator asks answer at once.
import { primaryDirectory, type Script } from '../scripted-model/anthropic.js';

const lastUserText = (body: Parameters<Script>[0]): string => {
  const user = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  return JSON.stringify(user?.content ?? '');
};

export function demoScript(thinkMs: number): Script {
  return (body) => {
    if (!body.tools?.length) return { kind: 'message', blocks: [{ type: 'text', text: 'ok' }] };
    const dir = primaryDirectory(body) ?? '';
    const step = (body.messages ?? []).filter((m) => m.role === 'assistant').length;
    if (dir.endsWith('/scratch')) {
      const text =
        'One slot is reserved for the operator lane, so this answer got through while background jobs held every other slot.';
      return { kind: 'message', blocks: [{ type: 'text', text }], inputTokens: 1200, outputTokens: 40 };
    }
    const task = /task (\d+)/.exec(lastUserText(body))?.[1] ?? dir.split('/').pop() ?? 'x';
    if (step === 0) {
      const input = {
        file_path: `${dir}/notes/task-${task}.md`,
        content: `# Task ${task}\n\nDone by claude under nightshift.\n`,
      };
      return {
        kind: 'message',
        blocks: [{ type: 'tool_use', name: 'Write', input }],
        delayMs: thinkMs,
        inputTokens: 3000,
        outputTokens: 200,
      };
    }
    return {
      kind: 'message',
      blocks: [{ type: 'text', text: `Wrote notes/task-${task}.md.` }],
      inputTokens: 3300,
      outputTokens: 20,
    };
  };
}
