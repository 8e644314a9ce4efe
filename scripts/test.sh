#!/usr/bin/env bash
# The whole test suite: type check, lint, format check, then node's test runner over test/**/*.test.ts (real Temporal, real claude).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit
npx eslint .
npx prettier --check .
shopt -s globstar nullglob
files=(test/**/*.test.ts)
export NIGHTSHIFT_LOG_LEVEL="${NIGHTSHIFT_LOG_LEVEL:-warn}"
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
