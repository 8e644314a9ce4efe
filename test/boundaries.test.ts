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

const cases: { file: string; code: string; rule: RegExp }[] = [
  {
    file: 'src/workflows/job/x.ts',
    code: "import { runCheck } from '../../workspace/check.js';\nvoid runCheck;\n",
    rule: /no-restricted-paths.*workflows may import only protocol/,
  },
  {
    file: 'src/workflows/job/x.ts',
    code: "import { inspect } from 'util';\nvoid inspect;\n",
    rule: /no-restricted-imports.*deterministic/,
  },
  {
    file: 'src/workflows/chain/x.ts',
    code: "import { inspect } from 'node:util';\nvoid inspect;\n",
    rule: /no-restricted-imports.*deterministic/,
  },
  {
    file: 'src/protocol/x.ts',
    code: "import { EventEmitter } from 'events';\nvoid EventEmitter;\n",
    rule: /no-restricted-imports.*deterministic/,
  },
  {
    file: 'src/protocol/x.ts',
    code: "import { loadConfig } from '../config/load.js';\nvoid loadConfig;\n",
    rule: /protocol may import only itself/,
  },
  {
    file: 'src/workflows/session/x.ts',
    code: "import { viewOf } from '../capacity/view.js';\nvoid viewOf;\n",
    rule: /workflows\/session may import only its own folder/,
  },
  {
    file: 'src/agents/x.ts',
    code: "import { createActivities } from '../activities/index.js';\nvoid createActivities;\n",
    rule: /agents may import only/,
  },
  {
    file: 'src/activities/x.ts',
    code: "import { startJob } from '../client/jobs.js';\nvoid startJob;\n",
    rule: /activities may import only/,
  },
  {
    file: 'src/client/x.ts',
    code: "import { viewOf } from '../workflows/capacity/view.js';\nvoid viewOf;\n",
    rule: /imports workflows only as types/,
  },
  {
    file: 'src/client/x.ts',
    code: "import { prepareWorkspace } from '../workspace/prepare.js';\nvoid prepareWorkspace;\n",
    rule: /client may import only/,
  },
  {
    file: 'src/worker/x.ts',
    code: "import { demo } from '../dev/demo/demo.js';\nvoid demo;\n",
    rule: /worker may import only/,
  },
  {
    file: 'src/ledger/x.ts',
    code: "import { printJson } from '../cli/args.js';\nvoid printJson;\n",
    rule: /ledger may import only/,
  },
];

for (const c of cases) {
  test(`lint rejects ${c.file}: ${c.code.split('\n')[0]}`, async () => {
    const found = await problems(c.file, c.code);
    assert.ok(
      found.some((p) => c.rule.test(p)),
      `expected ${c.rule} among: ${found.join(' | ') || 'no problems'}`,
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
