#!/usr/bin/env bash
# The six agent CLIs and what they need, installed by ONE script for the dev checkout (setup.sh) and the Docker image.
# Usage: scripts/install-agent-clis.sh [--npm-prefix DIR] [--verify]
#   npm CLIs (claude, codex, opencode, gemini): at package.json's devDependencies pins, the only place they are written.
#     Default: this checkout's node_modules (`npm install`, lock file); --npm-prefix DIR: `npm install` them into DIR.
#   PyPI CLIs (llm, aider): one venv each in .tools/<cli> (their dependencies conflict); the pins are PIP_CLIS below.
#   System: git, bubblewrap, socat, python3-venv, CA certificates: apt-get when root and missing, else a warning.
#   --verify: each CLI, found as nightshift finds it (PATH, then node_modules/.bin, then .tools/<cli>/bin), must print
#     its pinned version for --version; one line per CLI on stdout: "<cli> <version> ok <path>".
# Idempotent: with everything in place it installs nothing and takes well under a second (without --verify).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

NPM_CLIS=(claude=@anthropic-ai/claude-code codex=@openai/codex opencode=opencode-ai gemini=@google/gemini-cli)
PIP_CLIS=(llm=llm==0.36 aider=aider-chat==0.86.2)

NPM_PREFIX="$ROOT"
VERIFY=false
while [ $# -gt 0 ]; do
  case "$1" in
    --npm-prefix) NPM_PREFIX="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --verify) VERIFY=true; shift ;;
    *) echo "install-agent-clis: unknown argument: $1" >&2; exit 2 ;;
  esac
done
log() { echo "install-agent-clis: $*" >&2; }

system_packages() {
  local missing=()
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
  command -v socat >/dev/null 2>&1 || missing+=(socat) # the bridge to the egress proxy (sandbox.agentNetwork: proxy)
  command -v tini >/dev/null 2>&1 || missing+=(tini)   # reaps each sandbox's orphaned pid-namespace init at once
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv) # Debian ships venv without ensurepip
  [ -e /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "warning: missing ${missing[*]}; install them (not root, or no apt-get): sudo apt-get install ${missing[*]}"
    case " ${missing[*]} " in *" bubblewrap "*)
      log "warning: without bubblewrap agents and checks run unconfined (sandbox: off); test/sandbox*.test.ts need it" ;;
    esac
  fi
}

# One line per npm CLI: "<cli> <package> <pin> <installed version or ->", the pins read from package.json.
npm_state() {
  node -e '
    const fs = require("fs");
    const [pkgJson, modules, ...clis] = process.argv.slice(1);
    const dev = JSON.parse(fs.readFileSync(pkgJson, "utf8")).devDependencies || {};
    for (const [cli, pkg] of clis.map((c) => c.split("="))) {
      const pin = dev[pkg] || "";
      if (!/^\d+\.\d+\.\d+$/.test(pin)) throw new Error(`package.json: pin ${pkg} to an exact version in devDependencies`);
      let have = "-";
      try { have = JSON.parse(fs.readFileSync(`${modules}/${pkg}/package.json`, "utf8")).version; } catch {}
      console.log(cli, pkg, pin, have);
    }' "$ROOT/package.json" "$NPM_PREFIX/node_modules" "${NPM_CLIS[@]}"
}

npm_clis() {
  local state specs=() cli pkg pin have
  state="$(npm_state)"
  while read -r cli pkg pin have; do [ "$have" = "$pin" ] || specs+=("$pkg@$pin"); done <<<"$state"
  [ ${#specs[@]} -eq 0 ] && return
  if [ "$NPM_PREFIX" = "$ROOT" ]; then
    log "installing the checkout's npm packages (${specs[*]} not in place)"
    npm install --no-audit --no-fund --loglevel=error
  else
    log "installing ${specs[*]} into $NPM_PREFIX (npm)"
    npm install --prefix "$NPM_PREFIX" --save-exact --no-audit --no-fund --loglevel=error "${specs[@]}"
  fi
}

pip_clis() {
  local entry cli spec dist version
  for entry in "${PIP_CLIS[@]}"; do
    cli="${entry%%=*}" spec="${entry#*=}"
    dist="${spec%%==*}" version="${spec#*==}"
    # In place = the venv's console script and the pinned version's dist-info (wheel names use "_" for "-").
    if [ -x ".tools/$cli/bin/$cli" ] &&
      compgen -G ".tools/$cli/lib/python3*/site-packages/${dist//-/_}-$version.dist-info" >/dev/null; then
      continue
    fi
    log "installing $spec into .tools/$cli (pip)"
    rm -rf ".tools/$cli"
    python3 -m venv ".tools/$cli"
    ".tools/$cli/bin/pip" install --quiet --disable-pip-version-check "$spec"
  done
}

# All six at once (some CLIs take seconds to start); every failure is reported before exiting 1.
verify() {
  local out entry cli pkg pin have bin failed=0 search="$PATH:$ROOT/node_modules/.bin"
  out="$(mktemp -d)"
  for entry in "${PIP_CLIS[@]}"; do search+=":$ROOT/.tools/${entry%%=*}/bin"; done
  local pins
  pins="$(npm_state | while read -r cli pkg pin have; do echo "$cli $pin"; done)"
  for entry in "${PIP_CLIS[@]}"; do pins+=$'\n'"${entry%%=*} ${entry##*==}"; done
  while read -r cli pin; do
    bin="$(PATH="$search" command -v "$cli")" || { echo "$cli: not found (PATH, node_modules/.bin, .tools)" >"$out/$cli"; continue; }
    echo "$bin" >"$out/$cli.path"
    (timeout 120 "$bin" --version </dev/null >"$out/$cli" 2>&1 || true) &
  done <<<"$pins"
  wait
  while read -r cli pin; do
    if [ -f "$out/$cli.path" ] && grep -qwF -- "$pin" "$out/$cli"; then
      echo "$cli $pin ok $(cat "$out/$cli.path")"
    else
      log "$cli: wanted $pin; got: $(head -c 300 "$out/$cli" | tr '\n' ' ') ($(cat "$out/$cli.path" 2>/dev/null || echo 'no path'))"
      failed=1
    fi
  done <<<"$pins"
  rm -rf "$out"
  return "$failed"
}

system_packages
npm_clis
pip_clis
if $VERIFY; then verify; fi
