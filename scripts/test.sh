#!/usr/bin/env bash
# The whole test suite: type check, lint, format check, then node's test runner over test/**/*.test.ts (real Temporal, real claude).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit
npx eslint .
npx prettier --check .
shopt -s globstar nullglob
# The longest file first (240 jobs through the engine, ~7 min): it overlaps the others instead of running alone at the end.
files=(test/stats.test.ts)
for f in test/**/*.test.ts; do [ "$f" = test/stats.test.ts ] || files+=("$f"); done
export NIGHTSHIFT_LOG_LEVEL="${NIGHTSHIFT_LOG_LEVEL:-warn}"
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
