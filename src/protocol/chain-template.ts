// Step prompt templates: `{{task}}` and `{{steps.<id>.output}}`. Pure string work: safe in workflows.

const REFERENCE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const STEP_OUTPUT = /^steps\.([a-z0-9][a-z0-9-]*)\.output$/;

export type TemplateRef = { kind: 'task' } | { kind: 'step'; stepId: string } | { kind: 'unknown'; text: string };

function refOf(expr: string): TemplateRef {
  if (expr === 'task') return { kind: 'task' };
  const m = STEP_OUTPUT.exec(expr);
  return m?.[1] ? { kind: 'step', stepId: m[1] } : { kind: 'unknown', text: expr };
}

/** Every `{{…}}` reference in a template, in order. */
export function templateRefs(template: string): TemplateRef[] {
  return [...template.matchAll(REFERENCE)].map((m) => refOf(m[1] ?? ''));
}

export interface TemplateValues {
  task: string;
  /** Step id → its output (the agent's final text). */
  outputs: Record<string, string>;
}

/** Replaces every reference; load-time validation guarantees each one is known, so a miss renders empty. */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(REFERENCE, (_whole, expr: string) => {
    const ref = refOf(expr);
    if (ref.kind === 'task') return values.task;
    if (ref.kind === 'step') return values.outputs[ref.stepId] ?? '';
    return '';
  });
}
