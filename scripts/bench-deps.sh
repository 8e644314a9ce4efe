#!/usr/bin/env bash
# What `npm run bench:compare` needs beyond `npm run setup`: Debian's redis-server, for BullMQ's queue.
set -euo pipefail
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing redis-server (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ] || apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends redis-server </dev/null >/dev/null
  else
    echo "bench: redis-server is missing: install Debian's redis-server package (BullMQ's side of bench:compare)" >&2
    exit 1
  fi
fi
