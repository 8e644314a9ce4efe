// ESLint: type-aware rules for the whole tree; layer boundaries and workflow determinism are enforced here.
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const LAYERS = [
  'protocol',
  'workflows',
  'activities',
  'agents',
  'workspace',
  'ledger',
  'config',
  'client',
  'worker',
  'support',
  'cli',
  'dev',
  'http',
  'notify',
  'mcp',
];

/** Zones: `layer` may import only from `allowed` (and itself), plus the single files `files` names per layer. */
const only = (layer, allowed, why, files = {}) => {
  const message = `${layer} may import only ${[...allowed, ...Object.values(files).flat()].join(', ') || 'itself'}: ${why}`;
  return LAYERS.filter((l) => l !== layer && !allowed.includes(l)).map((l) => ({
    target: `./src/${layer}`,
    from: `./src/${l}`,
    except: files[l] ?? [],
    message,
  }));
};

// Who may import whom: the contract at the bottom, the entry points (cli, dev) at the top.
const BOUNDARIES = [
  only('protocol', [], 'it is the workflow-safe contract every process shares'),
  only('workflows', ['protocol'], 'workflows are deterministic and call activities through the protocol interface'),
  only(
    'activities',
    ['protocol', 'agents', 'workspace', 'ledger', 'config', 'support', 'notify'],
    'activities are thin Temporal wrappers',
  ),
  only('agents', ['protocol', 'config', 'support'], 'agents run CLIs and know nothing of Temporal or workflows'),
  only('workspace', ['protocol', 'config', 'support'], 'workspaces are git and files only'),
  only('ledger', ['protocol', 'support'], 'the ledger is a store'),
  only('config', ['protocol', 'support'], 'config is parsed at the edge'),
  only('support', [], 'support is leaf utilities'),
  // The client validates backends at the edge (registry) and compare repos (git); workflows only as types (below).
  only('client', ['protocol', 'config', 'support', 'workflows'], 'the client starts and reads workflows', {
    agents: ['./registry.ts'],
    workspace: ['./git.ts', './mirror.ts'],
  }),
  only(
    'worker',
    ['activities', 'config', 'protocol', 'support', 'workflows', 'ledger'],
    'the worker hosts activities and the workflow bundle, and reports its host to the ledger',
  ),
  only('notify', ['protocol', 'config', 'support', 'ledger'], 'notifications are formatting and HTTP delivery'),
  only(
    'http',
    ['protocol', 'config', 'support', 'client', 'ledger'],
    'the HTTP server is a client of the engine, like the CLI',
  ),
  only('mcp', ['protocol', 'config', 'support', 'client', 'ledger'], 'the MCP server is a client of the engine'),
  only(
    'dev',
    ['protocol', 'config', 'support'],
    'dev tools (dev server, scripted models, demo setup) stand below the CLI',
  ),
].flat();

// Workflow feature folders import their own folder and the child-job runner (how features compose), nothing else.
const FEATURES = ['job', 'capacity', 'session', 'chain', 'compare', 'schedule', 'land', 'notify'];
const FEATURE_WALLS = FEATURES.map((f) => ({
  target: `./src/workflows/${f}`,
  from: './src/workflows',
  except: [`./${f}`, './job/child.ts'],
  message: `workflows/${f} may import only its own folder and job/child.ts (run another job as a child)`,
}));

// Everything a workflow can reach runs in the deterministic sandbox: no I/O, no clocks of its own, no processes.
const NODE_BUILTINS = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'http',
  'http2',
  'https',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'querystring',
  'readline',
  'stream',
  'string_decoder',
  'timers',
  'tls',
  'tty',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];
const DETERMINISM = {
  patterns: [
    { group: ['node:*'], message: 'Workflows must be deterministic: no Node builtins.' },
    {
      group: NODE_BUILTINS.map((m) => `${m}`).concat(NODE_BUILTINS.map((m) => `${m}/*`)),
      message: 'Workflows must be deterministic: no Node builtins.',
    },
    {
      group: [
        'execa',
        'pino',
        'pino-*',
        'zod',
        'yaml',
        '@temporalio/client',
        '@temporalio/worker',
        '@temporalio/activity',
        '@temporalio/testing',
      ],
      message: 'Workflows must be deterministic: no process, log, IO, client or activity libraries.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.nightshift/**', 'test/histories/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    // Imports name `.js` files that are `.ts` sources: without this alias the import rules resolve nothing.
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      // node:test's test()/describe() promises are awaited by the runner itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      'import-x/no-cycle': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: [...BOUNDARIES, ...FEATURE_WALLS] }] },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', DETERMINISM],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
    },
  },
  {
    // The client names workflow types for typed handles; their code runs only in the worker's sandbox.
    files: ['src/client/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows/**'],
              allowTypeImports: true,
              message: 'The client imports workflows only as types.',
            },
          ],
        },
      ],
    },
  },
);
