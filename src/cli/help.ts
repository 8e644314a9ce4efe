// Per-command help: usage, every flag the command takes, and an example (`nightshift <command> --help`).

interface CommandHelp {
  usage: string;
  flags?: [string, string][];
  example: string;
}

const JOB_FLAGS: [string, string][] = [
  ['--kind K', 'llm, coding-agent, codex, writing-review, or a kind in `estimates` (default coding-agent)'],
  ['--backend B', 'pin one backend, no failover (default: the kind’s route); auto: chosen from the ledger'],
  ['--lane L', 'operator | interactive | background (default background)'],
  ['--repo DIR', 'the repository to work on (default .)'],
  ['--workspace M', 'auto | worktree | in-place | none (default auto)'],
  ['--check CMD', 'check after the agent: "npm test" or \'["npm","test"]\''],
  ['--fix-rounds N', 'on a failing check, send its output back to the agent, up to N times'],
  ['--review B', 'a second backend reviews the diff (JSON verdict)'],
  ['--review-rounds N, --review-model M', 'revisions allowed on "revise"; the reviewer’s model'],
  ['--model M', 'the model the backend uses'],
  ['--timeout S, --hang-timeout S', 'whole-run and no-output limits in seconds'],
  ['--max-attempts N', 'agent attempts (retries of retryable failures)'],
  ['--max-tokens N', 'stop an agent run past N input+output tokens: BudgetExceeded, not retried, work kept'],
  ['--max-cost USD', 'stop an agent run past this cost, where its CLI reports cost (default: jobs.*ByKind)'],
  ['--id job-…', 'choose the job id (must be unused)'],
  ['--resume SESSION', 'resume an agent session (backends with sessions)'],
  ['--session NAME', 'run in a warm session (created on first use)'],
  ['--wait', 'wait and print the result (default: print the id and return)'],
  ['--land', 'when the job succeeds, its commit joins the merge queue of the branch it started from'],
  ['--onto BRANCH, --resolve B', 'with --land: land on BRANCH; hand a conflict to backend B'],
  ['--sandbox bwrap|off', 'off: run unconfined, only where the config has sandbox.allowJobOff (default bwrap)'],
  [
    '--mcp',
    "mount `nightshift mcp` into the job's agent: it can submit jobs, wait for them, read results (claude, codex, gemini, opencode)",
  ],
];

const HELP: Record<string, CommandHelp> = {
  submit: {
    usage: 'nightshift submit "<prompt>" [flags]',
    flags: JOB_FLAGS,
    example: 'nightshift submit "Add input validation to src/api.ts" --repo ~/code/app --check "npm test" --wait',
  },
  ask: {
    usage: 'nightshift ask "<question>" [flags]  (operator lane, waits, prints the answer)',
    flags: JOB_FLAGS,
    example: 'nightshift ask "What does the retry policy do on a 429?"',
  },
  status: { usage: 'nightshift status <job-id>', example: 'nightshift status job-1a2b3c4d' },
  list: {
    usage: 'nightshift list [--status S] [--limit N]',
    flags: [
      ['--status S', 'queued | running | succeeded | failed | no_op | cancelled'],
      ['--limit N', 'how many (default 20)'],
    ],
    example: 'nightshift list --status failed',
  },
  cancel: {
    usage: 'nightshift cancel <job-id>  (kills the agent’s process group, releases the lease)',
    example: 'nightshift cancel job-1a2b3c4d',
  },
  capacity: {
    usage: 'nightshift capacity  (slots per lane, queues, tokens in the window, backpressure, running jobs per host)',
    example: 'nightshift capacity --json',
  },
  workers: {
    usage: 'nightshift workers  (worker hosts: state, last poll, last heartbeat, running agents / cap, version)',
    example: 'nightshift workers --json',
  },
  backends: {
    usage: 'nightshift backends check [--backend B ...] | backends clear <backend>  (auth-broken and rate-limit marks)',
    flags: [
      ['--backend B', 'check: probe B (repeatable); default: configured backends, defaultBackend, auth-broken ones'],
    ],
    example: 'nightshift backends check --backend claude',
  },
  history: {
    usage: 'nightshift history <job-id>  (a readable timeline from the Temporal history)',
    example: 'nightshift history job-1a2b3c4d',
  },
  replay: {
    usage: 'nightshift replay <job-id | history.json> [--workflows PATH]',
    flags: [['--workflows PATH', 'check other workflow code than this version’s']],
    example: 'nightshift replay job-1a2b3c4d',
  },
  compare: {
    usage: 'nightshift compare --backends a,b[,c…] --prompt P [flags] | compare status <id>',
    flags: [
      ['--backends LIST', 'two or more distinct backends'],
      ['--prompt P', 'the task'],
      ['--repo DIR', 'a git repository (default .)'],
      ['--check CMD', 'check each backend’s result'],
      ['--review B', 'review each result'],
      ['--kind K, --timeout S, --id ID', ''],
      ['--wait', 'wait and print the table'],
    ],
    example: 'nightshift compare --backends claude,codex --prompt "Add retries to fetch.ts" --repo ~/code/app --wait',
  },
  chain: {
    usage: 'nightshift chain run FILE [--wait] | chain status <chain-id>',
    flags: [['--wait', 'wait and print every step']],
    example: 'nightshift chain run examples/refactor-review-fix.yaml --wait',
  },
  sessions: { usage: 'nightshift sessions | sessions close <name>', example: 'nightshift sessions close triage' },
  schedule: {
    usage:
      'nightshift schedule add <name> --cron "…" [--timezone TZ] -- <submit args> | list | pause <name> [--note …] | resume | trigger | delete <name>',
    example: 'nightshift schedule add nightly --cron "0 2 * * *" -- "Update the changelog" --repo ~/code/app',
  },
  stats: {
    usage: 'nightshift stats [--since 7d] [--by backend|kind|lane|host]  (the ledger: ledger.url, or `nightshift dev`)',
    flags: [
      ['--since D', '90s, 30m, 12h, 7d, 2w (by finish time)'],
      ['--by G', 'backend | kind | lane | host (default backend)'],
    ],
    example: 'nightshift stats --since 7d --by lane',
  },
  routes: {
    usage:
      'nightshift routes [--json]  (per kind: what `--backend auto` would choose now and why; the ledger’s last routing.windowDays)',
    example: 'nightshift routes --json',
  },
  land: {
    usage: 'nightshift land <job-id>... [--onto BRANCH] [--resolve B] [--wait] | land --status',
    flags: [
      ['--onto BRANCH', 'the branch to land on (default: the branch each job started from)'],
      ['--resolve B', 'a conflict goes to a job on backend B (its own lease), then one more try'],
      ['--wait', 'wait until each landing ends; exit 1 unless all landed'],
      ['--status', 'each merge queue: the landing now, the ones waiting, the finished ones'],
    ],
    example: 'nightshift land job-1a2b3c4d job-5e6f7a8b --wait',
  },
  diff: {
    usage: 'nightshift diff <job-id> [--stat]  (the job’s commit, from the repo on this host)',
    flags: [['--stat', 'files and line counts only']],
    example: 'nightshift diff job-1a2b3c4d',
  },
  gc: {
    usage: 'nightshift gc [--older-than 7d] [--dry-run] [--branches [--unlanded]]  (this host’s data dir)',
    flags: [
      ['--older-than D', '30m, 12h, 7d, 2w or 0: worktrees and job dirs untouched this long (default 7d)'],
      ['--dry-run', 'list what would be done, change nothing'],
      ['--branches', 'also delete nightshift/* branches already contained in the repo’s HEAD branch (landed)'],
      ['--unlanded', 'with --branches: delete branches with unlanded work too'],
    ],
    example: 'nightshift gc --older-than 3d --branches --dry-run',
  },
  dev: {
    usage:
      'nightshift dev [--host H] [--port P]  (Temporal dev server + embedded ledger + worker + the dashboard in the foreground; Ctrl-C stops all)',
    flags: [
      ['--host H', 'the dashboard/API address (http.host, default 127.0.0.1; any other needs a token)'],
      ['--port P', 'its port (http.port, default 7700)'],
    ],
    example: 'nightshift dev',
  },
  mcp: {
    usage:
      'nightshift mcp  (an MCP server on stdio for agent CLIs: nightshift_submit, _status, _wait, _result, _cancel, _capacity, _compare, _stats)',
    example: 'claude mcp add nightshift -- nightshift mcp',
  },
  serve: {
    usage: 'nightshift serve [--host H] [--port P]  (the HTTP API, live dashboard and /metrics, against the engine)',
    flags: [
      ['--host H', 'http.host (default 127.0.0.1); every address needs http.token or generates one (data dir)'],
      ['--port P', 'http.port (default 7700)'],
    ],
    example: 'NIGHTSHIFT_HTTP_TOKEN=… nightshift serve --host 0.0.0.0',
  },
  worker: {
    usage: 'nightshift worker  (a worker only, against temporal.address / TEMPORAL_ADDRESS)',
    example: 'nightshift worker   (with TEMPORAL_ADDRESS=localhost:7233 in the environment)',
  },
  demo: {
    usage: 'nightshift demo [--jobs N] [--slots N] [--keep-worktrees never|failed|always] [--hold]',
    flags: [
      ['--hold', 'keep the live dashboard up after the story, until Ctrl-C'],
      ['--jobs N', 'background jobs in the burst'],
      ['--slots N', 'capacity slots (one reserved)'],
      ['--keep-worktrees K', 'jobs.keepWorktrees for the demo (default failed): compare the disk use'],
    ],
    example: 'nightshift demo --slots 5',
  },
};

/** The command's help, or undefined for a command without its own page. */
export function commandHelp(name: string): string | undefined {
  const h = HELP[name];
  if (!h) return undefined;
  const width = Math.max(0, ...(h.flags ?? []).map(([f]) => f.length));
  const flags = (h.flags ?? []).map(([f, what]) => `  ${f.padEnd(width)}  ${what}`.trimEnd());
  const common =
    '  --json  machine-readable output   --debug  stack traces   --log-format json|pretty   -h, --help  this page';
  return [
    `usage: ${h.usage}`,
    ...(flags.length ? ['', 'flags:', ...flags] : []),
    common,
    '',
    `example: ${h.example}`,
    '',
  ].join('\n');
}
