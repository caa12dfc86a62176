#!/usr/bin/env bash
# Installs the Debian packages NexaLoak needs when they are missing, and says so.
# Usage: scripts/ensure-system-packages.sh
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing missing system packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "error: need root to run apt-get install ${missing[*]} (or install them yourself)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
