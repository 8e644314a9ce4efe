// The one adapter contract every agent CLI implements; each backend is a small file.
import type { BackendConfig } from '../config/schema.js';
import type { FailureClass } from '../shared/failures.js';
import type { TokenUsage } from '../shared/types.js';

export interface RunContext {
  prompt: string;
  workspace: string;
  model?: string;
  resumeSessionId?: string;
  config: BackendConfig;
  /** Resolved executable (config.command, PATH, or nightshift's node_modules/.bin). */
  command: string;
}

export interface Invocation {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** Everything parsed from the CLI's output; the parser fills it as lines arrive. */
export interface ParsedRun {
  gotResult: boolean;
  isError: boolean;
  sessionId?: string;
  finalText: string;
  tokens: TokenUsage;
  costUsd?: number;
  turns: number;
  toolCalls: number;
  filesTouched: string[];
  errorStatus?: number;
  errorText?: string;
  rateLimitResetAt?: number;
}

export interface StreamParser {
  feed(line: string): void;
  readonly run: ParsedRun;
}

export interface ExitInfo {
  exitCode: number | undefined;
  signal: string | undefined;
  stderrTail: string;
  now: number;
}

export type Verdict = { ok: true } | { ok: false; type: FailureClass; message: string; resetAt?: number };

export interface AgentAdapter {
  readonly name: string;
  /** Executable name when config.command is not set. */
  readonly defaultCommand: string;
  invocation(ctx: RunContext): Invocation;
  parser(workspace: string): StreamParser;
  classify(run: ParsedRun, exit: ExitInfo): Verdict;
}
