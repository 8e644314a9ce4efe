// Shared parsing helpers for CLIs that print one JSON event per line.
import { emptyTokens } from '../../protocol/tokens.js';
import type { ParsedRun, StreamParser } from '../contract.js';

export type Json = Record<string, unknown>;
export const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
/** A non-empty string, else undefined (so `??` picks a fallback). */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export const emptyRun = (): ParsedRun => ({
  gotResult: false,
  isError: false,
  finalText: '',
  tokens: emptyTokens(),
  turns: 0,
  toolCalls: 0,
  filesTouched: [],
});

/** Feeds each JSON line to the handler for its `type`; other lines (warnings, logs) are ignored — they stay in the raw output file. */
export function jsonLinesParser(
  run: ParsedRun,
  handlers: Record<string, (event: Json) => void>,
  onEvent?: (event: Json) => void,
): StreamParser {
  return {
    run,
    feed(line) {
      let event: Json;
      try {
        event = obj(JSON.parse(line));
      } catch {
        return;
      }
      onEvent?.(event);
      handlers[String(event['type'])]?.(event);
    },
  };
}
