// nightshift CLI: one dispatch table; usage errors exit 2, failed jobs exit 1.
import { UsageError } from '../support/usage-error.js';
import { version } from '../support/version.js';
import { reportError } from './errors.js';
import { commandHelp } from './help.js';
import { chain } from './commands/chain.js';
import { submit } from './commands/submit.js';
import { cancel, capacity, status } from './commands/inspect.js';
import { list } from './commands/list.js';
import { dev, worker } from './commands/serve.js';
import { sessions } from './commands/sessions.js';
import { cliContext, type CliContext } from './context.js';

type Command = (argv: string[], ctx: CliContext) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  dev,
  worker,
  submit: (argv, ctx) => submit(argv, ctx),
  ask: (argv, ctx) => submit(argv, ctx, { lane: 'operator', kind: 'llm', workspace: 'none', wait: true }),
  status,
  list,
  cancel,
  capacity,
  chain,
  sessions,
  mcp: async (argv, ctx) => (await import('./commands/mcp.js')).mcp(argv, ctx),
  serve: async (argv, ctx) => (await import('./commands/serve-http.js')).serve(argv, ctx),
  workers: async (argv, ctx) => (await import('./commands/workers.js')).workers(argv, ctx),
  backends: async (argv, ctx) => (await import('./commands/backends.js')).backends(argv, ctx),
  history: async (argv, ctx) => (await import('./commands/history.js')).history(argv, ctx),
  replay: async (argv, ctx) => (await import('./commands/replay.js')).replay(argv, ctx),
  compare: async (argv, ctx) => (await import('./commands/compare.js')).compare(argv, ctx),
  schedule: async (argv, ctx) => (await import('./commands/schedule.js')).schedule(argv, ctx),
  stats: async (argv, ctx) => (await import('./commands/stats.js')).stats(argv, ctx),
  routes: async (argv, ctx) => (await import('./commands/routes.js')).routes(argv, ctx),
  gc: async (argv, ctx) => (await import('./commands/gc.js')).gc(argv, ctx),
  land: async (argv, ctx) => (await import('./commands/land.js')).land(argv, ctx),
  diff: async (argv, ctx) => (await import('./commands/diff.js')).diff(argv, ctx),
  demo: async (argv, ctx) => (await import('./commands/demo.js')).demo(argv, ctx),
};

const HELP = `nightshift — durable agent jobs on Temporal

  nightshift dev                      Temporal dev server + worker + dashboard on :7700 (Ctrl-C stops all)
  nightshift worker                   a worker only (TEMPORAL_ADDRESS for an existing server)
  nightshift mcp                      an MCP server on stdio: agents submit, wait for and read nightshift jobs
  nightshift serve [--host H] [--port P]  the HTTP API, live dashboard and /metrics (default 127.0.0.1:7700)
  nightshift submit "<prompt>" [--kind K] [--backend B] [--lane L] [--repo DIR]
                    [--workspace auto|worktree|in-place|none] [--check "npm test"]
                    [--model M] [--timeout S] [--max-attempts N] [--session NAME] [--wait] [--json]
                    [--land [--onto BRANCH] [--resolve BACKEND]]  land the work when the job succeeds
  nightshift ask "<question>"         operator lane: gets a slot even when the queue is full
  nightshift status <job-id>          current step, live agent progress, result
  nightshift list [--status S]        recent jobs
  nightshift cancel <job-id>          cancel: kills the agent's process group, releases the lease
  nightshift history <job-id> [--json]  a readable timeline: lease, workspace, agent attempts, checks, reviews
  nightshift replay <job|file> [--workflows PATH]  replay a recorded history against the workflow code; explains nondeterminism
  nightshift stats [--since 7d] [--by backend|kind|lane|host] [--json]  jobs, success/revised rates, p50/p95, tokens, cost
  nightshift routes [--json]          per kind: the backend --backend auto would choose now, why, each candidate's figures
  nightshift schedule add <name> --cron "0 2 * * *" [--timezone TZ] -- <submit args>  a job per cron tick (overlap: skip)
  nightshift schedule list | pause <name> | resume <name> | trigger <name> | delete <name>
  nightshift diff <job-id> [--stat]   the job's committed work (its commit on nightshift/<job-id>)
  nightshift land <job-id>... [--onto BRANCH] [--resolve BACKEND] [--wait]  merge queue: rebase on the target, check, fast-forward
  nightshift land --status            each merge queue: landing now, waiting, landed / conflict / check-failed
  nightshift capacity                 slots per lane, queues, tokens, backpressure, running jobs per host
  nightshift workers [--json]         worker hosts: last poll, running agents / cap, version
  nightshift backends check [--backend B ...]  probe each backend's auth; clear the marks of those that answer
  nightshift backends clear <backend>  clear a backend's auth-broken (and rate-limit) mark without a probe
  nightshift gc [--older-than 7d] [--dry-run] [--branches]  remove stale worktrees and job dirs; landed branches too
  nightshift chain run FILE [--wait]  run a chain file (YAML/JSON): steps in order, parallel blocks, partial results kept
  nightshift chain status <chain-id>  each step: state, job id, attempts, duration, tokens
  nightshift compare --backends a,b,c --prompt P [--repo DIR] [--check "cmd"] [--review B] [--wait]  bake-off: a worktree+branch per backend, in parallel
  nightshift compare status <id>      per backend: wall time, turns, files, check, review, follow-up, tokens, cost, branch
  nightshift sessions                 open warm sessions: backend, agent session, jobs, tokens, last used
  nightshift sessions close <name>    end a session after its running job
  nightshift demo                     a burst of jobs + an operator ask on the embedded server
  nightshift --version                the version

  Any command: --json for machine-readable output, --debug for stack traces.
  Exit codes: 0 ok, 1 a failed job or error, 2 bad input (nothing started), 3 the engine is not reachable.
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`nightshift ${version()}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`command: unknown command "${name}" (try: ${Object.keys(COMMANDS).join(', ')})`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(name) ?? HELP);
    return 0;
  }
  return command(rest, cliContext());
}

// Global flags, taken out before a command parses its own: `--debug` (stack traces; or NIGHTSHIFT_DEBUG=1) and
// `--log-format json|pretty` (NIGHTSHIFT_LOG_FORMAT; the default is pretty on a terminal, JSON when piped).
const args = process.argv.slice(2);
const debug = args.includes('--debug') || process.env['NIGHTSHIFT_DEBUG'] === '1';
const format = args.findIndex((a) => a === '--log-format');
if (format >= 0) {
  const value = args[format + 1] ?? '';
  if (value !== 'json' && value !== 'pretty') {
    process.stderr.write(`nightshift: --log-format: expected json or pretty, got "${value}"\n`);
    process.exit(2);
  }
  process.env['NIGHTSHIFT_LOG_FORMAT'] = value;
  args.splice(format, 2);
}
main(args.filter((a) => a !== '--debug')).then(
  (code) => process.exit(code),
  (err: unknown) => process.exit(reportError(err, debug)),
);
