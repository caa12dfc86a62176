#!/usr/bin/env bash
# Turns a fresh Debian 12 / Ubuntu 22.04+ VPS into a NexaLoak node, or
# upgrades one in place: system packages, Node.js, a durable private Redis,
# the application in /opt/nexaloak, its environment file, IPv4 forwarding and
# a hardened systemd unit.
#
#   First server:   sudo bash scripts/install.sh [--bot-token T] [--admin-id ID]
#   Each next one:  sudo bash scripts/install.sh --join <token>
#
# --help lists every option; --dry-run prints every step without doing any.
set -euo pipefail
umask 022
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

readonly SERVICE=nexaloak
readonly SERVICE_USER=nexaloak
readonly DATA_DIR=/var/lib/nexaloak
# The node reaches Redis through its Unix socket only: no TCP port, and only
# root, redis and the node's service user (in group redis) can connect.
readonly REDIS_SOCKET=/run/redis/redis-server.sock
readonly REDIS_URL=unix://$REDIS_SOCKET
# What earlier versions of this script wrote into the environment file.
readonly OLD_REDIS_URL=redis://127.0.0.1:6379
readonly REDIS_CONF=/etc/redis/redis.conf
readonly REDIS_DROP_IN=/etc/redis/nexaloak.conf
readonly UNIT_PATH=/etc/systemd/system/nexaloak.service
readonly SYSCTL_PATH=/etc/sysctl.d/90-nexaloak.conf
readonly NODESOURCE_KEY=/etc/apt/keyrings/nodesource.gpg
# The node's default WG_PORT and SS_PORTS (shared/env-variables.ts).
readonly WG_PORT=51820
readonly DEFAULT_SS_PORTS=20000-29999
# package.json's engines.node.
readonly MIN_NODE_MAJOR=20
# How long the installer waits for Redis and for the node, in seconds.
readonly WAIT_SECONDS=30
# Exit codes of app/main.ts that a restart cannot fix (see the unit).
readonly EXIT_BAD_CONFIG=2
readonly EXIT_REMOVED=4
readonly EXIT_NEEDS_UPGRADE=5

usage() {
  cat <<'EOF'
Usage: sudo bash scripts/install.sh [options]

Installs a NexaLoak node on this Debian 12 / Ubuntu 22.04+ host, or upgrades it
in place when run again (the application files are replaced; the environment
file, the data directory and Redis's data are kept).

Without --join it founds a cluster of one: it writes NODE_ID, PEERS and fresh
cluster credentials (CLUSTER_SECRET, DATA_KEYS, an admin API token shown once,
kept only as its sha256 digest). With --join it writes the join token instead:
the node gets its id, its peers and every cluster credential from the cluster.

Cluster:
  --join TOKEN         join a running cluster with a join token (from /addserver
                       in the Telegram bot, or POST /v1/join-tokens)
  --node-id ID         first server only: this node's id, 1-32 of a-z 0-9 -, not
                       starting with - (default: from the host name)
  --public-host HOST   the address peers and VPN clients reach this server at
                       (default: the source address of the default route,
                       from: ip route get 1.1.1.1)
  --port PORT          the node's one TCP port: peers, admin API, health
                       (default 7001)
  --region REGION      SERVER_REGION: region label users choose (e.g. de, nl)
  --capacity N         SERVER_CAPACITY: client configs this server accepts
  --shadowsocks        also serve Shadowsocks (PROTOCOLS=wireguard,shadowsocks),
                       for users whose networks block WireGuard: installs
                       shadowsocks-libev and stops the service it brings
  --ss-ports FIRST-LAST  with --shadowsocks: SS_PORTS, one port per config,
                       TCP and UDP (default 20000-29999)
  --bot-token TOKEN    first server only: BOT_TOKEN, the Telegram bot's token
  --admin-id ID        first server only: a Telegram user id made admin
                       (ADMIN_IDS); repeat it or give a comma-separated list

Where:
  --source DIR         the NexaLoak checkout to install (default: the one this
                       script is in); its tracked files are copied
  --install-dir DIR    where the application goes (default /opt/nexaloak)
  --env-file FILE      the environment file (default /etc/nexaloak/nexaloak.env)
  --root DIR           write every file under DIR instead of / (env file, unit,
                       application, sysctl and Redis files, data directory);
                       for tests and image builds, with the --no-* options
                       (also NEXALOAK_INSTALL_ROOT=DIR)

Steps to leave out:
  --no-packages        no apt-get: neither system packages nor Node.js (offline
                       hosts that have them already)
  --no-node            do not install Node.js; one >= 20 must be on PATH
  --node-major N       the Node.js major version to install from NodeSource
                       when none >= 20 is found (default 22)
  --no-npm             skip npm ci --omit=dev (an existing node_modules in the
                       install directory is carried over)
  --no-user            do not create the nexaloak system user
  --no-systemd         write the unit and sysctl files, but run no systemctl
                       and no sysctl (chosen by itself where systemd is not
                       running)

Other:
  --dry-run            print every command and every file (secrets masked)
                       without doing anything; needs neither root nor any
                       package
  -h, --help           this help

Exit codes: 0 done, 1 a step failed, 2 a bad option.
EOF
}

# ---------------------------------------------------------------- options

JOIN_TOKEN=""
JOIN_GIVEN=0
NODE_ID=""
PUBLIC_HOST=""
PORT=7001
REGION=""
CAPACITY=""
SHADOWSOCKS=0
SS_PORTS=""
BOT_TOKEN=""
ADMIN_IDS=""
SOURCE_DIR=""
INSTALL_DIR=/opt/nexaloak
ENV_FILE=/etc/nexaloak/nexaloak.env
ROOT="${NEXALOAK_INSTALL_ROOT:-}"
NODE_MAJOR=22
NO_PACKAGES=0
NO_NODE=0
NO_NPM=0
NO_USER=0
NO_SYSTEMD=0
DRY_RUN=0

usage_error() {
  printf 'install.sh: %s\nSee: bash scripts/install.sh --help\n' "$*" >&2
  exit 2
}

die() {
  printf 'install.sh: error: %s\n' "$*" >&2
  exit 1
}

# Options that take a value accept both "--name value" and "--name=value".
parse_options() {
  local name value inline
  while [ $# -gt 0 ]; do
    name=$1
    value=""
    inline=0
    if [[ $name == --*=* ]]; then
      value=${name#*=}
      name=${name%%=*}
      inline=1
    fi
    case $name in
      --join | --node-id | --public-host | --port | --region | --capacity | --bot-token | \
        --admin-id | --source | --install-dir | --env-file | --root | --node-major | --ss-ports)
        if [ "$inline" = 0 ]; then
          [ $# -ge 2 ] || usage_error "$name needs a value"
          value=$2
          shift
        fi
        ;;
      --shadowsocks | --no-packages | --no-node | --no-npm | --no-user | --no-systemd | --dry-run | \
        -h | --help)
        [ "$inline" = 0 ] || usage_error "$name takes no value"
        ;;
      *) usage_error "unknown option $name" ;;
    esac
    case $name in
      --join)
        JOIN_TOKEN=$value
        JOIN_GIVEN=1
        ;;
      --node-id) NODE_ID=$value ;;
      --public-host) PUBLIC_HOST=$value ;;
      --port) PORT=$value ;;
      --region) REGION=$value ;;
      --capacity) CAPACITY=$value ;;
      --shadowsocks) SHADOWSOCKS=1 ;;
      --ss-ports) SS_PORTS=$value ;;
      --bot-token) BOT_TOKEN=$value ;;
      --admin-id) ADMIN_IDS="${ADMIN_IDS:+$ADMIN_IDS,}$value" ;;
      --source) SOURCE_DIR=$value ;;
      --install-dir) INSTALL_DIR=$value ;;
      --env-file) ENV_FILE=$value ;;
      --root) ROOT=$value ;;
      --node-major) NODE_MAJOR=$value ;;
      --no-packages) NO_PACKAGES=1 ;;
      --no-node) NO_NODE=1 ;;
      --no-npm) NO_NPM=1 ;;
      --no-user) NO_USER=1 ;;
      --no-systemd) NO_SYSTEMD=1 ;;
      --dry-run) DRY_RUN=1 ;;
      -h | --help)
        usage
        exit 0
        ;;
    esac
    shift
  done
}

is_node_id() { [[ $1 =~ ^[a-z0-9][a-z0-9-]{0,31}$ ]]; }
is_whole_number() { [[ $1 =~ ^[0-9]{1,9}$ ]]; }
is_absolute_path() { [[ $1 == /* && $1 != *[[:space:]]* ]]; }

# The same rules as shared/env-variables.ts and shared/node-id.ts, so a bad
# value is refused here rather than by the node after it was installed.
validate_options() {
  if [ "$JOIN_GIVEN" = 1 ]; then
    [[ $JOIN_TOKEN =~ ^[^[:space:]]+$ ]] || usage_error "--join needs the join token: one word, no spaces"
    [ -z "$NODE_ID" ] || usage_error "--node-id does not go with --join: a joining node gets its id from the cluster"
    if [ -n "$BOT_TOKEN" ] || [ -n "$ADMIN_IDS" ]; then
      usage_error "--bot-token and --admin-id are for the first server; with --join the node gets what it needs from the cluster"
    fi
  fi
  if [ -n "$NODE_ID" ] && ! is_node_id "$NODE_ID"; then
    usage_error "--node-id must be 1-32 characters from a-z, 0-9 and '-', not starting with '-' (got '$NODE_ID')"
  fi
  if ! is_whole_number "$PORT" || [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
    usage_error "--port must be a port, 1-65535 (got '$PORT')"
  fi
  if [ -n "$PUBLIC_HOST" ] && ! [[ $PUBLIC_HOST =~ ^[A-Za-z0-9.:-]{1,253}$ ]]; then
    usage_error "--public-host must be a DNS name or an IP address (got '$PUBLIC_HOST')"
  fi
  if [ -n "$REGION" ] && ! [[ $REGION =~ ^[A-Za-z0-9_.-]{1,32}$ ]]; then
    usage_error "--region must be 1-32 of A-Z a-z 0-9 _ . - (got '$REGION')"
  fi
  if [ -n "$CAPACITY" ]; then
    if ! is_whole_number "$CAPACITY" || [ "$CAPACITY" -lt 1 ] || [ "$CAPACITY" -gt 65532 ]; then
      usage_error "--capacity must be a whole number of configs, 1-65532 (got '$CAPACITY')"
    fi
  fi
  if [ -n "$SS_PORTS" ]; then
    [ "$SHADOWSOCKS" = 1 ] || usage_error "--ss-ports goes with --shadowsocks"
    local first=${SS_PORTS%-*} last=${SS_PORTS#*-} taken
    if ! [[ $SS_PORTS =~ ^[1-9][0-9]{0,4}-[1-9][0-9]{0,4}$ ]] || [ "$first" -lt 1 ] || [ "$last" -gt 65535 ] ||
      [ "$first" -gt "$last" ]; then
      usage_error "--ss-ports must be FIRST-LAST, ports 1-65535 with FIRST <= LAST (got '$SS_PORTS')"
    fi
    for taken in "$PORT" "$WG_PORT"; do
      if [ "$first" -le "$taken" ] && [ "$taken" -le "$last" ]; then
        usage_error "--ss-ports $SS_PORTS takes in port $taken, which the node ($PORT) or WireGuard ($WG_PORT) uses"
      fi
    done
  fi
  if [ -n "$BOT_TOKEN" ] && ! [[ $BOT_TOKEN =~ ^[0-9]{1,20}:[A-Za-z0-9_-]{30,100}$ ]]; then
    usage_error "--bot-token must be a bot token as @BotFather gives it: digits, a colon, then at least 30 of A-Z a-z 0-9 _ -"
  fi
  if [ -n "$ADMIN_IDS" ]; then
    local id ids
    IFS=, read -r -a ids <<<"$ADMIN_IDS"
    for id in "${ids[@]}"; do
      [[ $id =~ ^[1-9][0-9]{0,19}$ ]] || usage_error "--admin-id must be a Telegram user id, a positive whole number (got '$id')"
    done
  fi
  if ! is_whole_number "$NODE_MAJOR" || [ "$NODE_MAJOR" -lt "$MIN_NODE_MAJOR" ]; then
    usage_error "--node-major must be a Node.js major version, at least $MIN_NODE_MAJOR (got '$NODE_MAJOR')"
  fi
  is_absolute_path "$INSTALL_DIR" || usage_error "--install-dir must be an absolute path without spaces (got '$INSTALL_DIR')"
  is_absolute_path "$ENV_FILE" || usage_error "--env-file must be an absolute path without spaces (got '$ENV_FILE')"
  if [ -n "$ROOT" ]; then
    [ -d "$ROOT" ] || usage_error "--root must be an existing directory (got '$ROOT')"
    ROOT=$(cd "$ROOT" && pwd)
    [ "$ROOT" != / ] || ROOT=""
  fi
  if [ -z "$SOURCE_DIR" ]; then
    SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  fi
  [ -d "$SOURCE_DIR" ] || usage_error "--source must be a directory (got '$SOURCE_DIR')"
  SOURCE_DIR=$(cd "$SOURCE_DIR" && pwd)
  if [ ! -f "$SOURCE_DIR/app/main.ts" ] || ! grep -q '"name": "nexaloak"' "$SOURCE_DIR/package.json" 2>/dev/null; then
    usage_error "$SOURCE_DIR is not a NexaLoak checkout (no app/main.ts, or package.json is not nexaloak's); pass --source DIR"
  fi
}

# ---------------------------------------------------------------- output and effects

step() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf '    warning: %s\n' "$*" >&2; }

# Prints a command as the shell would read it.
show_command() {
  printf '  +'
  printf ' %q' "$@"
  printf '\n'
}

# Prints a command, then runs it unless this is a dry run.
run() {
  show_command "$@"
  [ "$DRY_RUN" = 1 ] || "$@"
}

# Like run, for a command that must run in a directory.
run_in() {
  local directory=$1
  shift
  printf '  + (cd %q &&' "$directory"
  printf ' %q' "$@"
  printf ')\n'
  [ "$DRY_RUN" = 1 ] || (cd "$directory" && "$@")
}

# Prints a shell pipeline, then runs it with bash unless this is a dry run.
run_pipeline() {
  printf '  + %s\n' "$1"
  [ "$DRY_RUN" = 1 ] || bash -c "set -euo pipefail; $1"
}

have() { command -v "$1" >/dev/null 2>&1; }

# Creates ROOT+PATH with MODE when it does not exist yet.
ensure_dir() {
  [ -d "$ROOT$1" ] || run install -d -m "$2" "$ROOT$1"
}

# Writes CONTENT to ROOT+PATH with MODE, shown as SHOWN (CONTENT with its
# secrets masked). The file is complete or absent: written beside the target
# with its final mode first, then renamed over it.
write_file() {
  local path=$ROOT$1 mode=$2 content=$3 shown=${4-$3} temporary
  printf '  write %s (mode %s)\n' "$path" "$mode"
  printf '%s\n' "$shown" | sed 's/^/    | /'
  [ "$DRY_RUN" = 1 ] && return
  temporary=$(mktemp "$path.XXXXXX")
  chmod "$mode" "$temporary"
  printf '%s\n' "$content" >"$temporary"
  mv -f "$temporary" "$path"
}

# BYTES random bytes as hex, as openssl rand -hex BYTES prints them.
random_hex() {
  od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

sha256_hex() {
  printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

# The value of NAME in the dotenv file FILE, or nothing.
env_value() {
  sed -n "s/^$1=//p" "$2" | tail -n 1
}

# ---------------------------------------------------------------- decisions

installed_node_major() {
  have node || return 0
  node --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\..*/\1/p'
}

node_is_recent_enough() {
  local major
  major=$(installed_node_major)
  [ -n "$major" ] && [ "$major" -ge "$MIN_NODE_MAJOR" ]
}

kernel_has_wireguard() {
  [ -d /sys/module/wireguard ] || modprobe -n wireguard >/dev/null 2>&1
}

# Redis learned optional bind addresses ("-::1") in 6.2; Ubuntu 22.04 has 6.0.
redis_bind_addresses() {
  local version major minor
  version=$(redis-server --version 2>/dev/null | sed -n 's/.* v=\([0-9]*\.[0-9]*\).*/\1/p')
  major=${version%%.*}
  minor=${version#*.}
  if [ -n "$version" ] && { [ "$major" -lt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -lt 2 ]; }; }; then
    printf '127.0.0.1'
  else
    printf '127.0.0.1 -::1'
  fi
}

# The host name's first label as a node id, or n1 when nothing of it fits.
node_id_from_hostname() {
  local name
  name=$(uname -n)
  name=${name%%.*}
  name=$(printf '%s' "$name" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9-' '-' | sed 's/^-*//')
  name=${name:0:32}
  if is_node_id "$name"; then printf '%s' "$name"; else printf 'n1'; fi
}

# The source address of the default route: what a peer or client reaches on a
# VPS with one public address.
detect_public_host() {
  have ip || return 0
  ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n 1
}

is_private_ipv4() {
  [[ $1 =~ ^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|127\.|169\.254\.) ]]
}

# An IPv6 address goes in brackets inside a URL.
url_host() {
  if [[ $1 == *:* ]]; then printf '[%s]' "$1"; else printf '%s' "$1"; fi
}

systemd_is_running() {
  [ -d /run/systemd/system ] && have systemctl
}

# ---------------------------------------------------------------- steps

install_system_packages() {
  local packages=(redis-server wireguard-tools nftables iproute2 procps ca-certificates curl)
  [ "$SHADOWSOCKS" = 0 ] || packages+=(shadowsocks-libev)
  step "System packages: ${packages[*]}"
  if [ "$NO_PACKAGES" = 1 ]; then
    note "skipped (--no-packages)"
    return
  fi
  if ! kernel_has_wireguard; then
    note "this kernel has no WireGuard module: adding wireguard-go"
    packages+=(wireguard-go)
  fi
  run apt-get update -qq
  run apt-get install -y -qq --no-install-recommends "${packages[@]}"
}

# Debian's shadowsocks-libev starts a server of its own (port 8388, its
# password in /etc/shadowsocks-libev): not the node's, held to no ACL and
# counted for no user. The node runs its own through ss-manager. Also when
# the package was there before (--no-packages).
stop_packaged_shadowsocks() {
  [ "$SHADOWSOCKS" = 1 ] || return 0
  step "Debian's own Shadowsocks server: stopped and disabled (the node runs its own)"
  if [ "$NO_SYSTEMD" = 1 ]; then
    note "no systemd: if shadowsocks-libev.service runs here, stop and disable it"
    return
  fi
  if [ "$DRY_RUN" = 0 ] && ! systemctl cat shadowsocks-libev.service >/dev/null 2>&1; then
    note "no shadowsocks-libev.service here"
    return
  fi
  run systemctl disable --now --quiet shadowsocks-libev.service
}

install_node() {
  step "Node.js >= $MIN_NODE_MAJOR"
  if node_is_recent_enough; then
    note "found Node.js $(node --version) at $(command -v node)"
    return
  fi
  local found
  found=$(have node && node --version 2>/dev/null || printf 'none')
  if [ "$NO_PACKAGES" = 1 ] || [ "$NO_NODE" = 1 ]; then
    if [ "$DRY_RUN" = 1 ] || [ "$NO_NPM" = 1 ]; then
      warn "Node.js >= $MIN_NODE_MAJOR is needed to run the node (found: $found); not installing it (--no-packages or --no-node)"
      return
    fi
    die "Node.js >= $MIN_NODE_MAJOR is needed (found: $found): install it, or run without --no-packages/--no-node to install Node.js $NODE_MAJOR from NodeSource"
  fi
  note "installing Node.js $NODE_MAJOR from the NodeSource apt repository (found: $found; Debian 12 ships 18)"
  have gpg || run apt-get install -y -qq --no-install-recommends gnupg
  ensure_dir /etc/apt/keyrings 0755
  run_pipeline "curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor --yes -o $ROOT$NODESOURCE_KEY"
  write_file /etc/apt/sources.list.d/nodesource.list 0644 \
    "deb [signed-by=$NODESOURCE_KEY] https://deb.nodesource.com/node_$NODE_MAJOR.x nodistro main"
  # The distribution's older nodejs must not win an upgrade.
  write_file /etc/apt/preferences.d/nodesource 0644 "Package: nodejs
Pin: origin deb.nodesource.com
Pin-Priority: 600"
  run apt-get update -qq
  run apt-get install -y -qq nodejs
  if [ "$DRY_RUN" = 0 ] && ! node_is_recent_enough; then
    die "Node.js is still older than $MIN_NODE_MAJOR after installing it (node --version: $(node --version 2>&1))"
  fi
}

# Through the socket once Redis listens there; before the first restart
# with this script's settings, Redis listens on 127.0.0.1:6379 only.
redis_cli() {
  if [ -S "$REDIS_SOCKET" ]; then
    redis-cli -s "$REDIS_SOCKET" "$@"
  else
    redis-cli -h 127.0.0.1 -p 6379 "$@"
  fi
}

# Waits until Redis answers, for at most WAIT_SECONDS.
wait_for_redis() {
  local second
  for second in $(seq 1 "$WAIT_SECONDS"); do
    [ "$(redis_cli ping 2>/dev/null)" = PONG ] && return 0
    [ "$second" -lt "$WAIT_SECONDS" ] && sleep 1
  done
  die "Redis does not answer on $REDIS_SOCKET after ${WAIT_SECONDS}s: see journalctl -u redis-server"
}

# The REDIS_URL of an environment file kept from an earlier install; empty
# when there is none.
kept_redis_url() {
  [ -f "$ROOT$ENV_FILE" ] || return 0
  sed -n 's/^REDIS_URL=//p' "$ROOT$ENV_FILE" | tail -n 1
}

# Redis's TCP port: none (0) unless a kept environment file names a Redis
# URL of the operator's own, which may need it.
redis_port() {
  local kept
  kept=$(kept_redis_url)
  case "$kept" in
    "" | "$REDIS_URL" | "$OLD_REDIS_URL") printf '0' ;;
    *) printf '6379' ;;
  esac
}

# A Redis that ran without AOF keeps its data in its RDB file only; restarted
# with appendonly yes, it would start from an empty AOF. Turning AOF on live
# first writes the data into the AOF.
move_redis_data_into_aof() {
  if [ "$DRY_RUN" = 1 ]; then
    note "if Redis runs with appendonly no, its data moves into the AOF before the restart:"
    show_command redis-cli CONFIG SET appendonly yes
    return
  fi
  have redis-cli || return 0
  [ "$(redis_cli ping 2>/dev/null)" = PONG ] || return 0
  [ "$(redis_cli CONFIG GET appendonly | tail -n 1)" = no ] || return 0
  run redis_cli CONFIG SET appendonly yes
  local second info
  for second in $(seq 1 120); do
    info=$(redis_cli INFO persistence)
    if grep -q '^aof_rewrite_in_progress:0' <<<"$info" && grep -q '^aof_rewrite_scheduled:0' <<<"$info"; then
      return 0
    fi
    [ "$second" -lt 120 ] && sleep 1
  done
  die "Redis did not finish writing its AOF within 120s; run this script again once INFO persistence shows aof_rewrite_in_progress:0"
}

configure_redis() {
  step "Redis: durable and private to the node (appendonly yes, appendfsync always, Unix socket $REDIS_SOCKET, no TCP port)"
  local port
  port=$(redis_port)
  [ "$port" = 0 ] || warn "Redis keeps TCP port $port on loopback: $ROOT$ENV_FILE names REDIS_URL=$(kept_redis_url); change it to $REDIS_URL to close the port"
  ensure_dir "$(dirname "$REDIS_DROP_IN")" 0755
  write_file "$REDIS_DROP_IN" 0644 "# NexaLoak keeps its Raft log in this Redis. A node refuses a Redis that can
# lose acknowledged writes. The node connects through the Unix socket, which
# only root, redis and the group redis (the node's service user) may open;
# other local users and processes cannot read or rewrite the log.
# Included at the end of $REDIS_CONF, so these lines win.
appendonly yes
appendfsync always
unixsocket $REDIS_SOCKET
unixsocketperm 770
port $port
bind $(redis_bind_addresses)
protected-mode yes"
  local include="include $REDIS_DROP_IN"
  if [ "$DRY_RUN" = 1 ]; then
    printf '  append to %s, unless it has it already:\n    | %s\n' "$ROOT$REDIS_CONF" "$include"
  elif [ ! -f "$ROOT$REDIS_CONF" ]; then
    warn "$ROOT$REDIS_CONF does not exist: add the line '$include' to your Redis configuration"
  elif grep -qxF "$include" "$ROOT$REDIS_CONF"; then
    note "$ROOT$REDIS_CONF includes $REDIS_DROP_IN already"
  else
    printf '  append to %s:\n    | %s\n' "$ROOT$REDIS_CONF" "$include"
    printf '\n%s\n' "$include" >>"$ROOT$REDIS_CONF"
  fi
  if [ "$NO_SYSTEMD" = 1 ]; then
    note "not restarting Redis (no systemd): restart it yourself so these settings apply"
    return
  fi
  move_redis_data_into_aof
  run systemctl enable --quiet redis-server.service
  run systemctl restart redis-server.service
  [ "$DRY_RUN" = 1 ] && return
  wait_for_redis
  local appendonly appendfsync
  [ "$port" = 0 ] && [ ! -S "$REDIS_SOCKET" ] &&
    die "Redis does not listen on $REDIS_SOCKET: is another configuration file in use? (systemctl cat redis-server)"
  appendonly=$(redis_cli CONFIG GET appendonly | tail -n 1)
  appendfsync=$(redis_cli CONFIG GET appendfsync | tail -n 1)
  if [ "$appendonly" != yes ] || [ "$appendfsync" != always ]; then
    die "Redis still runs with appendonly $appendonly, appendfsync $appendfsync: is another configuration file in use? (systemctl cat redis-server)"
  fi
  note "Redis answers with appendonly yes, appendfsync always"
}

create_service_user() {
  step "Service user: $SERVICE_USER"
  if [ "$NO_USER" = 1 ]; then
    note "skipped (--no-user)"
  elif id -u "$SERVICE_USER" >/dev/null 2>&1; then
    note "exists already"
  else
    run useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "NexaLoak node" "$SERVICE_USER"
  fi
}

# Reads NUL-separated paths of the checkout and passes on those that exist
# (a tracked file deleted in the working copy is not installed).
existing_paths() {
  local path
  while IFS= read -r -d '' path; do
    if [ -e "$SOURCE_DIR/$path" ] || [ -L "$SOURCE_DIR/$path" ]; then
      printf '%s\0' "$path"
    fi
  done
}

# Copies the checkout's tracked files, as its working copy has them, into
# DESTINATION; a source without git metadata is copied whole, less the local
# files a checkout may hold.
copy_application_files() {
  local destination=$1
  if [ -e "$SOURCE_DIR/.git" ] && have git; then
    printf '  + git -C %q ls-files -z | tar -C %q --null -T - -cf - | tar -C %q --no-same-owner -xf -\n' \
      "$SOURCE_DIR" "$SOURCE_DIR" "$destination"
    [ "$DRY_RUN" = 1 ] && return
    # safe.directory: under sudo, git runs as root in a checkout another user owns.
    git -c safe.directory="$SOURCE_DIR" -C "$SOURCE_DIR" ls-files -z | existing_paths |
      tar -C "$SOURCE_DIR" --null -T - -cf - | tar -C "$destination" --no-same-owner -xf -
  else
    local excluded=(--exclude=./.git --exclude=./node_modules --exclude=./.data --exclude=./.env)
    printf '  + tar -C %q %s -cf - . | tar -C %q --no-same-owner -xf -\n' \
      "$SOURCE_DIR" "${excluded[*]}" "$destination"
    [ "$DRY_RUN" = 1 ] && return
    tar -C "$SOURCE_DIR" "${excluded[@]}" -cf - . | tar -C "$destination" --no-same-owner -xf -
  fi
}

install_application() {
  step "Application: $ROOT$INSTALL_DIR (from $SOURCE_DIR)"
  local target=$ROOT$INSTALL_DIR
  local staging=$target.staging previous=$target.previous
  ensure_dir "$(dirname "$INSTALL_DIR")" 0755
  [ -e "$staging" ] && run rm -rf "$staging"
  run install -d -m 0755 "$staging"
  copy_application_files "$staging"
  if [ "$NO_NPM" = 1 ]; then
    if [ -e "$target/node_modules" ]; then
      note "npm ci skipped (--no-npm): keeping the node_modules of the install being replaced"
      run mv "$target/node_modules" "$staging/node_modules"
    else
      note "npm ci skipped (--no-npm)"
    fi
  else
    run_in "$staging" npm ci --omit=dev --no-audit --no-fund
  fi
  if [ -e "$target" ]; then
    [ -e "$previous" ] && run rm -rf "$previous"
    run mv "$target" "$previous"
    note "the version it replaces stays in $previous until the next upgrade"
  fi
  run mv "$staging" "$target"
}

# Prints the environment file of a founding server; with "masked", the
# generated secrets and the bot token as placeholders.
founding_env() {
  local shown=$1
  local cluster_secret=$CLUSTER_SECRET data_keys="k1:$DATA_KEY" admin_digest=$ADMIN_TOKEN_DIGEST bot_token=$BOT_TOKEN
  if [ "$shown" = masked ]; then
    cluster_secret="<secret: 64 hex digits, generated>"
    data_keys="k1:<secret: 64 hex digits, generated>"
    admin_digest="<sha256 of the generated admin token>"
    bot_token="<secret: the --bot-token given>"
  fi
  cat <<EOF
# NexaLoak node: the first server of its cluster. Written by scripts/install.sh;
# the README's Configuration section describes every variable. Secret: only
# root reads this file (systemd does, for the unit's EnvironmentFile=).
NODE_ID=$NODE_ID
LISTEN=0.0.0.0:$PORT
PEERS=$NODE_ID=ws://$(url_host "$PUBLIC_HOST"):$PORT
PUBLIC_HOST=$PUBLIC_HOST
REDIS_URL=$REDIS_URL
CLUSTER_SECRET=$cluster_secret
DATA_KEYS=$data_keys
# Only the admin API token's digest: the token was shown once, at install.
ADMIN_API_TOKEN=sha256:$admin_digest
DATA_DIR=$DATA_DIR
VPN_DRIVER=wireguard
EOF
  [ -z "$REGION" ] || printf 'SERVER_REGION=%s\n' "$REGION"
  [ -z "$CAPACITY" ] || printf 'SERVER_CAPACITY=%s\n' "$CAPACITY"
  shadowsocks_env
  [ -z "$BOT_TOKEN" ] || printf 'BOT_TOKEN=%s\n' "$bot_token"
  [ -z "$ADMIN_IDS" ] || printf 'ADMIN_IDS=%s\n' "$ADMIN_IDS"
}

# Prints the environment file of a joining server. Its id, its peers and
# every cluster credential come from the cluster through the join.
joining_env() {
  local shown=$1 token=$JOIN_TOKEN
  [ "$shown" = masked ] && token="<secret: the --join token given>"
  cat <<EOF
# NexaLoak node joining a running cluster. Written by scripts/install.sh; the
# node gets its id, its peers and the cluster's credentials through the join,
# keeps them in DATA_DIR, and ignores JOIN_TOKEN from then on. Secret: only
# root reads this file (systemd does, for the unit's EnvironmentFile=).
JOIN_TOKEN=$token
LISTEN=0.0.0.0:$PORT
PUBLIC_HOST=$PUBLIC_HOST
REDIS_URL=$REDIS_URL
DATA_DIR=$DATA_DIR
VPN_DRIVER=wireguard
EOF
  [ -z "$REGION" ] || printf 'SERVER_REGION=%s\n' "$REGION"
  [ -z "$CAPACITY" ] || printf 'SERVER_CAPACITY=%s\n' "$CAPACITY"
  shadowsocks_env
  return 0
}

# The lines that make a node serve Shadowsocks beside WireGuard, with --shadowsocks.
shadowsocks_env() {
  [ "$SHADOWSOCKS" = 1 ] || return 0
  printf 'PROTOCOLS=wireguard,shadowsocks\n'
  [ -z "$SS_PORTS" ] || printf 'SS_PORTS=%s\n' "$SS_PORTS"
}

# --shadowsocks on a server whose environment file is kept: its lines are
# added when the file names no PROTOCOLS, and left to the operator when it does.
add_shadowsocks_to_kept_env() {
  [ "$SHADOWSOCKS" = 1 ] || return 0
  local protocols
  protocols=$(env_value PROTOCOLS "$ROOT$ENV_FILE")
  if [ -n "$protocols" ]; then
    [[ ,$protocols, == *,shadowsocks,* ]] ||
      warn "--shadowsocks: $ENV_FILE already says PROTOCOLS=$protocols; add shadowsocks there yourself"
    return 0
  fi
  if [ "$DRY_RUN" = 1 ]; then
    note "would add to it: $(shadowsocks_env | tr '\n' ' ')"
    return
  fi
  # An operator's last line may lack its newline: the added lines must not join it.
  [ -z "$(tail -c 1 "$ROOT$ENV_FILE")" ] || printf '\n' >>"$ROOT$ENV_FILE"
  shadowsocks_env >>"$ROOT$ENV_FILE"
  note "added $(shadowsocks_env | tr '\n' ' ')"
}

choose_public_host() {
  [ -n "$PUBLIC_HOST" ] && return
  PUBLIC_HOST=$(detect_public_host)
  if [ -z "$PUBLIC_HOST" ]; then
    [ "$DRY_RUN" = 1 ] || die "cannot find this host's address (ip -4 route get 1.1.1.1 names no source address): pass --public-host"
    PUBLIC_HOST="<this host's address: ip -4 route get 1.1.1.1>"
    return
  fi
  note "public host $PUBLIC_HOST (the default route's source address; --public-host to choose another)"
  if is_private_ipv4 "$PUBLIC_HOST"; then
    warn "$PUBLIC_HOST is a private address: if this host is behind NAT, other servers and VPN clients cannot reach it; run again with --public-host <its public address or name> after removing $ENV_FILE"
  fi
}

# An environment file from before the socket names Redis by its old TCP
# address, which Redis no longer listens on: point it at the socket.
move_env_to_redis_socket() {
  [ "$(kept_redis_url)" = "$OLD_REDIS_URL" ] || return 0
  if [ "$DRY_RUN" = 1 ]; then
    note "REDIS_URL=$OLD_REDIS_URL would become REDIS_URL=$REDIS_URL"
    return
  fi
  sed -i "s|^REDIS_URL=$OLD_REDIS_URL\$|REDIS_URL=$REDIS_URL|" "$ROOT$ENV_FILE"
  note "REDIS_URL is now $REDIS_URL (was $OLD_REDIS_URL): Redis listens on its socket only"
}

# Set when this run generated the admin token; printed once at the end.
ADMIN_TOKEN=""
write_env_file() {
  step "Environment file: $ROOT$ENV_FILE"
  if [ -e "$ROOT$ENV_FILE" ]; then
    note "kept as it is: it exists, so its secrets and settings stay (edit it to change them)"
    move_env_to_redis_socket
    add_shadowsocks_to_kept_env
    local given
    given="$JOIN_TOKEN$NODE_ID$PUBLIC_HOST$REGION$CAPACITY$BOT_TOKEN$ADMIN_IDS"
    [ -z "$given" ] || note "the cluster options given this time (--join, --node-id, --public-host, --region, --capacity, --bot-token, --admin-id) were not written"
    return
  fi
  ensure_dir "$(dirname "$ENV_FILE")" 0700
  choose_public_host
  if [ -n "$JOIN_TOKEN" ]; then
    write_file "$ENV_FILE" 0600 "$(joining_env plain)" "$(joining_env masked)"
    return
  fi
  [ -n "$NODE_ID" ] || NODE_ID=$(node_id_from_hostname)
  if [ "$DRY_RUN" = 1 ]; then
    CLUSTER_SECRET=""
    DATA_KEY=""
    ADMIN_TOKEN_DIGEST=""
  else
    CLUSTER_SECRET=$(random_hex 32)
    DATA_KEY=$(random_hex 32)
    ADMIN_TOKEN=$(random_hex 24)
    ADMIN_TOKEN_DIGEST=$(sha256_hex "$ADMIN_TOKEN")
  fi
  write_file "$ENV_FILE" 0600 "$(founding_env plain)" "$(founding_env masked)"
}

# Checks a founding server's file with the node's own validation
# (scripts/check-env.ts). A joining server's file is checked by the node
# when it joins: the join supplies what the check requires.
check_env_file() {
  local node_binary
  node_binary=$(command -v node || printf '/usr/bin/node')
  if [ "$DRY_RUN" = 1 ]; then
    if [ -n "$JOIN_TOKEN" ]; then
      note "not checked here: it joins a cluster, and the node checks it with what the join brings"
    else
      note "checked with the node's own validation:"
      printf '  + (cd %q && %q --import tsx scripts/check-env.ts %q)\n' \
        "$ROOT$INSTALL_DIR" "$node_binary" "$ROOT$ENV_FILE"
    fi
    return
  fi
  if ! grep -q '^NODE_ID=' "$ROOT$ENV_FILE"; then
    note "not checked here: it joins a cluster, and the node checks it with what the join brings"
  elif [ ! -f "$ROOT$INSTALL_DIR/scripts/check-env.ts" ]; then
    note "not checked: this version has no scripts/check-env.ts"
  elif [ ! -d "$ROOT$INSTALL_DIR/node_modules/tsx" ] || ! node_is_recent_enough; then
    note "not checked: the node's validation needs Node.js >= $MIN_NODE_MAJOR and npm ci (skipped)"
  else
    run_in "$ROOT$INSTALL_DIR" "$node_binary" --import tsx scripts/check-env.ts "$ROOT$ENV_FILE" ||
      die "the node would refuse $ROOT$ENV_FILE (above): fix it and run this script again"
  fi
}

create_data_dir() {
  step "Data directory: $ROOT$DATA_DIR (the node's identity key; systemd's StateDirectory= owns it)"
  ensure_dir "$DATA_DIR" 0700
  if [ "$NO_USER" = 0 ] && { [ "$DRY_RUN" = 1 ] || id -u "$SERVICE_USER" >/dev/null 2>&1; }; then
    run chown "$SERVICE_USER:$SERVICE_USER" "$ROOT$DATA_DIR"
  fi
}

enable_forwarding() {
  step "IPv4 forwarding, kept across reboots: $ROOT$SYSCTL_PATH"
  ensure_dir "$(dirname "$SYSCTL_PATH")" 0755
  write_file "$SYSCTL_PATH" 0644 "# NexaLoak: VPN clients' traffic is forwarded to the internet. The node turns
# this on at every sync too; this file keeps it on from boot.
net.ipv4.ip_forward = 1"
  if [ "$NO_SYSTEMD" = 1 ]; then
    note "not applied now (no systemd): the node sets it when it starts"
  else
    run sysctl -q -p "$ROOT$SYSCTL_PATH"
  fi
}

unit_file() {
  local node_binary=$1
  cat <<EOF
# NexaLoak node. Written by scripts/install.sh; run it again to upgrade.
[Unit]
Description=NexaLoak node (Raft control plane and WireGuard server)
Documentation=file:$INSTALL_DIR/README.md
Wants=network-online.target redis-server.service
After=network-online.target redis-server.service

[Service]
Type=simple
User=$SERVICE_USER
Group=$SERVICE_USER
# Redis's socket ($REDIS_SOCKET) admits the group redis only.
SupplementaryGroups=redis
WorkingDirectory=$INSTALL_DIR
EnvironmentFile=$ENV_FILE
Environment=NODE_ENV=production
ExecStart=$node_binary --import tsx app/main.ts
Restart=on-failure
RestartSec=2s
# $EXIT_BAD_CONFIG: bad configuration or a refused join token; $EXIT_REMOVED: this node was
# removed from the cluster; $EXIT_NEEDS_UPGRADE: the cluster runs a later release. Restarting
# cannot fix any of them.
RestartPreventExitStatus=$EXIT_BAD_CONFIG $EXIT_REMOVED $EXIT_NEEDS_UPGRADE
TimeoutStopSec=30s
StateDirectory=$SERVICE
StateDirectoryMode=0700
# wireguard-go's control sockets, on a kernel without the WireGuard module.
RuntimeDirectory=wireguard
RuntimeDirectoryMode=0700
RuntimeDirectoryPreserve=yes
UMask=0077

# ip, wg, nft and the net.* sysctls need CAP_NET_ADMIN and nothing more.
AmbientCapabilities=CAP_NET_ADMIN CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=$DATA_DIR
ProtectHome=yes
PrivateTmp=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectHostname=yes
ProtectProc=invisible
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
# Not set, on purpose: ProtectKernelTunables (the node writes
# net.ipv4.ip_forward), PrivateDevices (wireguard-go opens /dev/net/tun),
# MemoryDenyWriteExecute (V8 compiles to machine code).

[Install]
WantedBy=multi-user.target
EOF
}

install_unit() {
  step "systemd unit: $ROOT$UNIT_PATH"
  local node_binary
  node_binary=$(command -v node || printf '/usr/bin/node')
  ensure_dir "$(dirname "$UNIT_PATH")" 0755
  write_file "$UNIT_PATH" 0644 "$(unit_file "$node_binary")"
}

# Waits until the node answers /healthz, for at most WAIT_SECONDS. A node
# systemd gave up on (an exit a restart cannot fix) fails the install with its
# log; one still starting (a join waiting for the cluster) is only reported.
wait_for_node() {
  local port=$1 second
  for second in $(seq 1 "$WAIT_SECONDS"); do
    if have curl && curl -fsS -m 2 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
      note "the node answers on port $port"
      return 0
    fi
    systemctl is-failed --quiet "$SERVICE.service" && break
    [ "$second" -lt "$WAIT_SECONDS" ] && sleep 1
  done
  if systemctl is-failed --quiet "$SERVICE.service"; then
    journalctl -u "$SERVICE.service" -n 40 --no-pager >&2 || true
    die "the node stopped (its log is above; exit status $EXIT_BAD_CONFIG is a configuration or join token problem, $EXIT_REMOVED a node removed from its cluster, $EXIT_NEEDS_UPGRADE a cluster that runs a later release). Fix it, then: systemctl restart $SERVICE"
  fi
  warn "the node does not answer on port $port after ${WAIT_SECONDS}s; it is still starting: journalctl -u $SERVICE -f"
}

start_service() {
  step "Start: enable and (re)start $SERVICE.service"
  if [ "$NO_SYSTEMD" = 1 ]; then
    note "skipped (no systemd); on a host with systemd: systemctl daemon-reload && systemctl enable --now $SERVICE"
    return
  fi
  run systemctl daemon-reload
  run systemctl enable --quiet "$SERVICE.service"
  run systemctl restart "$SERVICE.service"
  [ "$DRY_RUN" = 1 ] && return
  local listen
  listen=$(env_value LISTEN "$ROOT$ENV_FILE")
  wait_for_node "${listen##*:}"
}

# Where the next server can clone this checkout from, without credentials.
repository_url() {
  local url=""
  if [ -e "$SOURCE_DIR/.git" ] && have git; then
    url=$(git -c safe.directory="$SOURCE_DIR" -C "$SOURCE_DIR" remote get-url origin 2>/dev/null || true)
  fi
  url=$(printf '%s' "$url" | sed 's#^\([a-z+]*://\)[^/@]*@#\1#')
  printf '%s' "${url:-<the NexaLoak repository>}"
}

print_next_steps() {
  local env_path=$ROOT$ENV_FILE host listen port
  host=$(env_value PUBLIC_HOST "$env_path")
  listen=$(env_value LISTEN "$env_path")
  port=${listen##*:}
  printf '\n==> Done\n'
  if grep -q '^JOIN_TOKEN=' "$env_path" && ! grep -q '^NODE_ID=' "$env_path"; then
    cat <<EOF
This server joins its cluster with the token it was given; once joined it
keeps its id and credentials in $DATA_DIR. Follow it with:
  journalctl -u $SERVICE -f
Any node's GET /v1/status lists it among the members once it has joined.
EOF
    print_shadowsocks_ports "$env_path"
    return
  fi
  if [ -n "$ADMIN_TOKEN" ]; then
    cat <<EOF
Admin API token. It is shown this once: the environment file keeps only its
sha256 digest. Store it now.

  $ADMIN_TOKEN

EOF
  else
    printf 'The admin API token was shown when this server was first installed; %s keeps only its digest.\n\n' "$env_path"
  fi
  cat <<EOF
Add the next server:
  1. Get a join token, either from the Telegram bot, as an admin:
       /addserver [region] [capacity]
     or from the admin API (the answer's "token"):
       curl -s -X POST -H "Authorization: Bearer \$TOKEN" -H 'content-type: application/json' \\
         -d '{"region":"de"}' http://$host:$port/v1/join-tokens
  2. On the new VPS:
       git clone $(repository_url) nexaloak && cd nexaloak
       sudo bash scripts/install.sh --join <token> [--region de] [--capacity 250]

Open TCP $port (peers and the admin API) and UDP $WG_PORT (WireGuard) in the
host's and the provider's firewall. Logs: journalctl -u $SERVICE -f
EOF
  print_shadowsocks_ports "$env_path"
}

# With Shadowsocks, its ports must be open too (TCP and UDP).
print_shadowsocks_ports() {
  local protocols ports
  protocols=$(env_value PROTOCOLS "$1")
  [[ ,$protocols, == *,shadowsocks,* ]] || return 0
  ports=$(env_value SS_PORTS "$1")
  printf 'Shadowsocks: open TCP and UDP %s too.\n' "${ports:-$DEFAULT_SS_PORTS}"
}

main() {
  parse_options "$@"
  validate_options
  if [ "$DRY_RUN" = 1 ]; then
    printf 'Dry run: every step is printed, nothing is written or run.\n'
  elif [ "$(id -u)" -ne 0 ] && [ -z "$ROOT" ]; then
    die "run it as root (sudo bash scripts/install.sh ...), or see what it would do with --dry-run"
  fi
  if [ "$NO_SYSTEMD" = 0 ] && ! systemd_is_running; then
    if [ "$DRY_RUN" = 1 ]; then
      note "systemd is not running here: a real run on this host would skip systemctl and sysctl"
    else
      note "systemd is not running here: systemctl and sysctl are skipped (as with --no-systemd)"
      NO_SYSTEMD=1
    fi
  fi
  [ -z "$ROOT" ] || note "every file goes under $ROOT"
  if [ -n "$JOIN_TOKEN" ]; then
    note "joining a running cluster"
  else
    note "founding a cluster of one"
  fi

  install_system_packages
  stop_packaged_shadowsocks
  install_node
  configure_redis
  create_service_user
  install_application
  write_env_file
  check_env_file
  create_data_dir
  enable_forwarding
  install_unit
  start_service

  if [ "$DRY_RUN" = 1 ]; then
    printf '\n==> Dry run done: nothing was written or run.\n'
  else
    print_next_steps
  fi
}

main "$@"
