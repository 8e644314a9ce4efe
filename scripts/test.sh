#!/usr/bin/env bash
# The whole test suite: type check, lint, then node's test runner over test/**/*.test.ts (real Temporal, real claude).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit
npx eslint .
shopt -s globstar nullglob
files=(test/**/*.test.ts)
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
