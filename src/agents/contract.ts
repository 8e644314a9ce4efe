// The one adapter contract every agent CLI implements: prepare (I/O), invocation (pure), parse, classify, after.
import type { BackendConfig } from '../config/schema.js';
import type { FailureClass } from '../protocol/failures.js';
import type { AgentSummary } from '../protocol/result.js';
import type { McpMount } from '../config/mcp-mount.js';

export interface RunContext {
  prompt: string;
  workspace: string;
  model?: string;
  resumeSessionId?: string;
  config: BackendConfig;
  /** Resolved executable (config.command, PATH, or nightshift's node_modules/.bin). */
  command: string;
  /** Persists across this backend's runs on this worker: session stores, per-session usage baselines. */
  stateDir: string;
  /** The job's portable instructions (already written to `instructionsFile` when the adapter has one). */
  instructions?: string;
  /** Seconds the CLI may spend inside one request before the engine's own bound (fail-fast settings). */
  requestTimeoutSeconds: number;
  /** `submit --mcp`: the nightshift MCP server the CLI mounts (only on adapters with `mountsMcp`). */
  mcp?: McpMount;
  /**
   * The engine's own sandbox (bwrap, no capabilities) wraps this run: a CLI's nested sandbox of its own is redundant
   * there and cannot start (codex's bwrap needs the capabilities the engine drops).
   */
  confined?: boolean;
}

export interface Invocation {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** Everything parsed from the CLI's output (the summary's figures and the error); filled as lines arrive. */
export interface ParsedRun extends Pick<
  AgentSummary,
  'sessionId' | 'finalText' | 'tokens' | 'costUsd' | 'turns' | 'toolCalls' | 'filesTouched' | 'usageRejected'
> {
  gotResult: boolean;
  isError: boolean;
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

/**
 * One CLI. `S` is the run's own state: what `prepare` made (files, dirs, baselines), handed to every later
 * stage of the same run, so nothing is smuggled between stages.
 */
export interface AgentAdapter<S = unknown> {
  readonly name: string;
  /** Executable name when config.command is not set. */
  readonly defaultCommand: string;
  /** Where this CLI reads instructions in the workspace (CLAUDE.md, AGENTS.md, …); none: passed in argv. */
  readonly instructionsFile?: string;
  /** The worker's environment variables this CLI may see (by name prefix): its own keys and settings, no other's. */
  readonly ownEnv: readonly string[];
  /** Whether the CLI has resumable sessions; `--resume` on one without is refused at submit. */
  readonly sessions: boolean;
  /** Whether the CLI can mount the nightshift MCP server (`submit --mcp`) from its invocation. */
  readonly mountsMcp?: boolean;
  /** The run's files and state dirs (all of its I/O before the spawn); the result is the run's state. */
  prepare?(ctx: RunContext): Promise<S>;
  /** argv and env for a one-shot run, or a resume when ctx.resumeSessionId is set. Pure; no shell. */
  invocation(ctx: RunContext, state: S): Invocation;
  /** Parses stdout line by line; ignores fields and events it does not know. */
  parser(ctx: RunContext, state: S): StreamParser;
  /** Success or a failure class, from the parsed output, the exit and the stderr tail. */
  classify(run: ParsedRun, exit: ExitInfo): Verdict;
  /** After a successful run: what the run's files add (exact usage) and what the next resume needs. */
  afterRun?(run: ParsedRun, ctx: RunContext, state: S): Promise<void>;
}
