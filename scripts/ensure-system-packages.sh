#!/usr/bin/env bash
# Installs the Debian packages NexaLoak needs when they are missing, and says so.
# Usage: scripts/ensure-system-packages.sh
set -euo pipefail

# Found on PATH, or in the sbin directories a non-root PATH often leaves out.
have() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}

missing=()
have redis-server || missing+=(redis-server)
# The VPN side: wg and wg-quick, a userspace WireGuard for kernels without the
# module, ip for interfaces and namespaces, and ping for the tunnel test.
have wg || missing+=(wireguard-tools)
have wireguard-go || missing+=(wireguard-go)
have ip || missing+=(iproute2)
have ping || missing+=(iputils-ping)
# nft and sysctl for the node's forwarding, NAT and client isolation rules.
have nft || missing+=(nftables)
have sysctl || missing+=(procps)
# Shadowsocks: ss-manager runs one ss-server per port; tests connect with ss-local,
# and the Shadowsocks probe's tests speak to a real ss-server.
have ss-manager || missing+=(shadowsocks-libev)
# npm compiles unix-dgram (ss-manager's control socket is a Unix datagram socket).
have make || missing+=(make)
have g++ || missing+=(g++)
have python3 || missing+=(python3)
# Tests make self-signed certificates for the TLS probe and the probe agent.
have openssl || missing+=(openssl)
# Tests lint the shell scripts operators run (scripts/install.sh).
have shellcheck || missing+=(shellcheck)

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
