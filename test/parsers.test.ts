// Every adapter's parser and classifier on its CLI's recorded output (test/fixtures/cli-output), checked against
// what the scripted server said: no CLI, no Temporal. Re-record: node --import tsx scripts/record-cli-output.ts
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { NON_RETRYABLE } from '../src/protocol/failures.js';
import type { TokenUsage } from '../src/protocol/tokens.js';
import {
  BACKENDS,
  CASES,
  readFixtures,
  replay,
  type Backend,
  type Fixture,
  type Replay,
  type Scenario,
} from './support/recorded-output.js';

// The adapters' prepare writes state dirs and homes: all of them under one root, removed after the file.
const root = mkdtempSync(join(tmpdir(), 'nightshift-parsers-'));
process.env['TMPDIR'] = root;
after(() => rmSync(root, { recursive: true, force: true }));

const fixtures = readFixtures();
type Tokens = NonNullable<Scenario['tokens']>;

/** aider prints usage rounded ("1.2k sent"); the exact counts come later, from its analytics log (afterRun). */
const aiderShown = (n: number): number =>
  n < 1000 ? n : n < 10_000 ? Math.round(n / 100) * 100 : Math.round(n / 1000) * 1000;

/** The tokens a run must report, from what the server reported (`input` counting cached tokens, API style). */
const EXPECTED_TOKENS: Record<Backend, (t: Tokens) => TokenUsage> = {
  // Anthropic's input_tokens exclude cache reads already (the stub reports none).
  claude: (t) => ({ input: t.input, output: t.output, cacheRead: t.cached, cacheWrite: 0 }),
  // OpenAI counts cached tokens inside input_tokens; nightshift's input excludes cache reads.
  codex: (t) => ({ input: t.input - t.cached, output: t.output, cacheRead: t.cached, cacheWrite: 0 }),
  opencode: (t) => ({ input: t.input, output: t.output, cacheRead: 0, cacheWrite: 0 }),
  // promptTokenCount includes cached tokens; thinking (total − prompt − output) would count as output: the stub sends none.
  gemini: (t) => ({ input: t.input - t.cached, output: t.output, cacheRead: t.cached, cacheWrite: 0 }),
  llm: (t) => ({ input: t.input, output: t.output, cacheRead: 0, cacheWrite: 0 }),
  aider: (t) => ({ input: aiderShown(t.input), output: aiderShown(t.output), cacheRead: 0, cacheWrite: 0 }),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The session id each CLI reports (aider has none). */
const SESSION: Record<Backend, RegExp | undefined> = {
  claude: UUID,
  codex: UUID,
  opencode: /^ses_[0-9A-Za-z]+$/,
  gemini: UUID,
  llm: /^[0-9a-z]{26}$/,
  aider: undefined,
};

/** llm's tools are the user's own functions: its JSON names the calls and arguments, never the files written. */
const NO_FILE_ATTRIBUTION = new Set<Backend>(['llm']);

function assertAnswered(f: Fixture, { run, verdict }: Replay): void {
  assert.deepEqual(verdict, { ok: true });
  const s = f.scenario;
  if (s.text !== undefined) assert.equal(run.finalText, s.text);
  assert.ok(s.tokens, 'the scenario states the usage the server reported');
  assert.deepEqual(run.tokens, EXPECTED_TOKENS[f.backend](s.tokens));
  const session = SESSION[f.backend];
  if (session) assert.match(run.sessionId ?? '', session);
  else assert.equal(run.sessionId, undefined);
}

const CHECKS: Record<Fixture['case'], (f: Fixture, r: Replay) => void> = {
  success(f, r) {
    assertAnswered(f, r);
    assert.deepEqual(r.run.filesTouched, []);
  },
  'tool-use'(f, r) {
    const file = f.scenario.file;
    assert.ok(file?.written, 'the CLI really wrote the file when it was recorded');
    assertAnswered(f, r);
    assert.ok(r.run.toolCalls >= 1, `toolCalls ${r.run.toolCalls}`);
    if (NO_FILE_ATTRIBUTION.has(f.backend)) assert.deepEqual(r.run.filesTouched, []);
    else assert.ok(r.run.filesTouched.includes(file.path), `filesTouched ${JSON.stringify(r.run.filesTouched)}`);
  },
  'rate-limited'(f, { verdict }) {
    assert.equal(verdict.ok ? 'ok' : verdict.type, 'RateLimited');
    const resetAt = verdict.ok ? undefined : verdict.resetAt;
    const { resetAt: announced, retryAfterSeconds: after, startedAt } = f.scenario;
    if (announced !== undefined) {
      // An absolute reset, kept as announced (codex prints it to the minute: the minute's end).
      assert.ok(
        resetAt !== undefined && resetAt >= announced && resetAt <= announced + 60_000,
        `resetAt ${resetAt} for ${announced}`,
      );
    } else {
      // A relative one counts from when the CLI said it (recorded) or when the parser read it (now).
      assert.ok(after !== undefined, 'the scenario names a reset');
      const [low, high] = [startedAt + after * 1000, Date.now() + after * 1000 + 1000];
      assert.ok(
        resetAt !== undefined && resetAt >= low && resetAt <= high,
        `resetAt ${resetAt} not in [${low}, ${high}]`,
      );
    }
  },
  auth(_f, { verdict }) {
    assert.equal(verdict.ok ? 'ok' : verdict.type, 'AuthFailed');
  },
  'server-down'(_f, { verdict }) {
    assert.ok(!verdict.ok, 'a dead server is a failure');
    assert.ok(!NON_RETRYABLE.includes(verdict.type), `${verdict.type} would stop retries: the server may come back`);
  },
};

test('a fixture for every backend and case', () => {
  const have = new Set(fixtures.map((f) => `${f.backend}/${f.case}`));
  assert.deepEqual(
    BACKENDS.flatMap((b) => CASES.map((c) => `${b}/${c}`)).filter((k) => !have.has(k)),
    [],
  );
});

for (const f of fixtures) {
  test(`${f.backend}/${f.case} (recorded with ${f.cliVersion})`, async () => {
    assert.equal(f.resumeSessionId, undefined, 'no fixture resumes (a resume would need its session store)');
    CHECKS[f.case](f, await replay(f));
  });
}

/** Lines no parser should act on: not JSON, JSON that is no event, an event type no CLI has sent yet. */
const GARBAGE = [
  'not json {',
  'null',
  '[1, 2]',
  '42',
  '{"type":"nightshift_future_event","part":{"text":"x"},"usage":{"input_tokens":9}}',
];

test('unknown lines and events are ignored: the parse equals the clean one', async () => {
  for (const f of fixtures.filter((x) => x.case === 'success')) {
    const clean = (await replay(f)).run;
    // Line-oriented JSON parsers take garbage anywhere; llm's array and aider's text only before their output starts.
    const lines = ['llm', 'aider'].includes(f.backend)
      ? [...GARBAGE, ...f.stdout]
      : f.stdout.flatMap((l) => [...GARBAGE, l]).concat(GARBAGE);
    assert.deepEqual((await replay(f, lines)).run, clean, f.backend);
  }
});
