// The layer walls hold: ESLint rejects an import that runs back up a layer or breaks workflow determinism.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

// Type-aware parsing needs files on disk; the walls are import rules, so plain parsing and those rules check them.
const WALLS = new Set([
  'import-x/no-restricted-paths',
  'no-restricted-imports',
  '@typescript-eslint/no-restricted-imports',
]);
const eslint = new ESLint({
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  ruleFilter: ({ ruleId }) => WALLS.has(ruleId),
});

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

// [the importing file, the symbol, where it comes from, the wall's message]
const cases: [string, string, string, RegExp][] = [
  [
    'src/workflows/job/x.ts',
    'runCheck',
    '../../workspace/check.js',
    /no-restricted-paths.*workflows may import only protocol/,
  ],
  ['src/workflows/job/x.ts', 'inspect', 'util', /no-restricted-imports.*deterministic/],
  ['src/workflows/chain/x.ts', 'inspect', 'node:util', /no-restricted-imports.*deterministic/],
  ['src/protocol/x.ts', 'EventEmitter', 'events', /no-restricted-imports.*deterministic/],
  ['src/protocol/x.ts', 'loadConfig', '../config/load.js', /protocol may import only itself/],
  ['src/workflows/session/x.ts', 'viewOf', '../capacity/view.js', /workflows\/session may import only its own folder/],
  ['src/agents/x.ts', 'createActivities', '../activities/index.js', /agents may import only/],
  ['src/activities/x.ts', 'startJob', '../client/jobs.js', /activities may import only/],
  ['src/client/x.ts', 'viewOf', '../workflows/capacity/view.js', /imports workflows only as types/],
  ['src/client/x.ts', 'prepareWorkspace', '../workspace/prepare.js', /client may import only/],
  ['src/worker/x.ts', 'demoRepo', '../dev/demo/demo-setup.js', /worker may import only/],
  ['src/dev/x.ts', 'printCapacity', '../cli/format.js', /dev may import only/],
  ['src/ledger/x.ts', 'printJson', '../cli/args.js', /ledger may import only/],
];

for (const [file, symbol, from, rule] of cases) {
  test(`lint rejects ${file}: import { ${symbol} } from '${from}'`, async () => {
    const found = await problems(file, `import { ${symbol} } from '${from}';\nvoid ${symbol};\n`);
    assert.ok(
      found.some((p) => rule.test(p)),
      `expected ${rule} among: ${found.join(' | ') || 'no problems'}`,
    );
  });
}

test('lint accepts the allowed direction: a workflow importing the protocol, the client a workflow type', async () => {
  assert.deepEqual(
    await problems(
      'src/workflows/job/x.ts',
      "import type { JobSpec } from '../../protocol/job.js';\nexport type X = JobSpec;\n",
    ),
    [],
  );
  assert.deepEqual(
    await problems(
      'src/client/x.ts',
      "import type { jobWorkflow } from '../workflows/job/workflow.js';\nexport type X = typeof jobWorkflow;\n",
    ),
    [],
  );
  assert.deepEqual(
    await problems('src/workflows/chain/x.ts', "import { runChildJob } from '../job/child.js';\nvoid runChildJob;\n"),
    [],
  );
});
