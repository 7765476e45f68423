# shellcheck shell=bash
# Shared helpers of deploy/local/{up,down,status,test}.sh. Sourced, not run.
#
# Everything the local stack writes lives under one run dir
# (${CONTINUUM_RUN_DIR:-<repo>/.run}): logs/, pids/, kafka/, keycloak/,
# gateway/, postgres/. Downloads (the Keycloak distribution) live in a cache
# outside the repo: ${CONTINUUM_CACHE:-$HOME/.cache/continuum}.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEPLOY_DIR="$REPO_ROOT/deploy"
RUN_DIR="${CONTINUUM_RUN_DIR:-$REPO_ROOT/.run}"
CACHE_DIR="${CONTINUUM_CACHE:-$HOME/.cache/continuum}"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"

# --- fixed points (other modules rely on these) -----------------------------
PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=continuum
PG_PASSWORD=continuum
PG_DATABASES=(continuum_auth continuum_session continuum_notification continuum_billing
  continuum_recommendation keycloak
  continuum_auth_test continuum_session_test continuum_notification_test continuum_billing_test
  continuum_recommendation_test continuum_platform_test continuum_e2e_test)
PG_MAX_CONNECTIONS=300

KAFKA_VERSION=4.1.2
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

KC_VERSION=26.7.3
KC_HOME="$CACHE_DIR/keycloak-$KC_VERSION"
KC_PORT=8180
KC_MGMT_PORT=9000
KC_URL="http://localhost:$KC_PORT"
KC_REALM=continuum
KC_REALM_FILE="$DEPLOY_DIR/keycloak/continuum-realm.json"
KC_BUILD_OPTS=(--db=postgres --health-enabled=true --metrics-enabled=true)
KC_ADMIN_USER="${CONTINUUM_KC_ADMIN_USER:-admin}"
KC_ADMIN_PASSWORD="${CONTINUUM_KC_ADMIN_PASSWORD:-admin}"

GATEWAY_HOST="${CONTINUUM_GATEWAY_HOST:-127.0.0.1}"
GATEWAY_PORT="${CONTINUUM_GATEWAY_PORT:-8080}"
ROUTES_FILE="$DEPLOY_DIR/gateway/routes.yaml"

SERVICE_XMX="${CONTINUUM_SERVICE_XMX:-256m}"
# extra JVM options of the services and of Kafka, for experiments (docs/benchmarks.md, "GC pauses": on two loaded
# vCPUs a G1 pause goal, ZGC or the serial collector all made the tail worse than the defaults)
SERVICE_JVM_OPTS="${CONTINUUM_SERVICE_JVM_OPTS:-}"
KAFKA_JVM_OPTS="${CONTINUUM_KAFKA_JVM_OPTS:--XX:+UseG1GC}"

# --- output -------------------------------------------------------------------
SCRIPT_NAME="${SCRIPT_NAME:-$(basename "$0" .sh)}"
if [[ -t 1 ]]; then _B=$'\e[1m'; _R=$'\e[31m'; _G=$'\e[32m'; _Y=$'\e[33m'; _N=$'\e[0m'; else _B= _R= _G= _Y= _N=; fi
say()  { printf '%s[%s]%s %s\n' "$_B" "$SCRIPT_NAME" "$_N" "$*"; }
ok()   { printf '%s[%s]%s %s%s%s\n' "$_B" "$SCRIPT_NAME" "$_N" "$_G" "$*" "$_N"; }
warn() { printf '%s[%s]%s %sWARNING:%s %s\n' "$_B" "$SCRIPT_NAME" "$_N" "$_Y" "$_N" "$*" >&2; }
die()  { printf '%s[%s]%s %sERROR:%s %s\n' "$_B" "$SCRIPT_NAME" "$_N" "$_R" "$_N" "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }
elapsed() { local s=$1; printf '%d.%01ds' $(( ($(now_ms) - s) / 1000 )) $(( ($(now_ms) - s) % 1000 / 100 )); }

# --- small checks -------------------------------------------------------------
port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
http_ok() { curl -fsS -o /dev/null --max-time "${3:-3}" "$1" 2>/dev/null; }
file_hash() { cat "$@" | sha256sum | cut -c1-64; }

# apt_install PKG... : installs Debian packages that are missing (fresh machines).
apt_install() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  [[ $(id -u) -eq 0 ]] || die "missing packages ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"
  say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if [[ ! -f "$RUN_DIR/.apt-updated" ]] || ! apt-get install -y -q "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1 9>&-; then
    apt-get update -q >>"$LOG_DIR/apt.log" 2>&1 || die "apt-get update failed, see $LOG_DIR/apt.log"
    touch "$RUN_DIR/.apt-updated"
    apt-get install -y -q "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1 9>&- || die "apt-get install ${missing[*]} failed, see $LOG_DIR/apt.log"
  fi
}

ensure_tools() {
  local need=()
  command -v curl >/dev/null || need+=(curl)
  command -v unzip >/dev/null || need+=(unzip)
  command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
  ((${#need[@]} == 0)) || apt_install "${need[@]}"
}

init_dirs() { mkdir -p "$RUN_DIR" "$LOG_DIR" "$PID_DIR" "$CACHE_DIR"; }

# take_lock: serializes up.sh/down.sh runs on one run dir (test JVMs may call
# up.sh concurrently); released when the script exits.
take_lock() {
  # Every long-lived child must be started with 9>&- (start_bg, pg_ctlcluster, apt-get),
  # or it would hold the lock after this script ends.
  exec 9>"$RUN_DIR/.lock"
  if ! flock -n 9; then
    say "waiting for another up.sh/down.sh on $RUN_DIR to finish"
    flock -w 900 9 || die "still locked after 15 min: $RUN_DIR/.lock"
  fi
}

# --- processes started by up.sh -------------------------------------------------
# Every part runs in its own session (setsid), so its PID is also its process
# group. The PID file holds "PID STARTTIME" (field 22 of /proc/PID/stat), so a
# PID file pointing at a recycled PID is never mistaken for ours. The variable
# CONTINUUM_PART=<part>@<run dir> is also set, to find the processes by hand.
part_tag() { printf '%s@%s' "$1" "$RUN_DIR"; }
pid_file() { printf '%s/%s.pid' "$PID_DIR" "$1"; }
log_file() { printf '%s/%s.log' "$LOG_DIR" "$1"; }
proc_start() { local s; s="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1; s="${s##*) }"; awk '{ print $20 }' <<<"$s"; }

# part_pid PART: prints the PID of the live process up.sh started for PART, or fails.
part_pid() {
  local f pid start
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  read -r pid start <"$f" || true
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ -z "$start" || "$(proc_start "$pid")" == "$start" ]] || return 1
  # a killed part that is still exiting (zombie) is not running: up.sh must start it again
  local stat; stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z && "${stat:0:1}" != X ]] || return 1
  printf '%s\n' "$pid"
}

# start_bg PART DIR CMD...: starts CMD in DIR detached, output to the part's log.
start_bg() {
  local part=$1 dir=$2; shift 2
  local log; log="$(log_file "$part")"
  [[ -f "$log" ]] && mv -f "$log" "$log.1"
  printf '=== %s: %s\n' "$(date -Is)" "$*" >"$log"
  local pidf; pidf="$(pid_file "$part")"
  # The started process writes its own PID (setsid forks when it has to).
  ( cd "$dir" && CONTINUUM_PART="$(part_tag "$part")" exec setsid bash -c \
      's="$(</proc/$$/stat)"; s="${s##*) }"; read -r -a f <<<"$s"; echo "$$ ${f[19]}" >"$0"; exec "$@"' \
      "$pidf" "$@" >>"$log" 2>&1 </dev/null 9>&- ) &
  echo $! >"$pidf"
}

# wait_for PART TIMEOUT_S WHAT CMD...: polls CMD until it succeeds; fails with the
# log path when the process dies or the time is up.
wait_for() {
  local part=$1 timeout=$2 what=$3; shift 3
  local deadline=$(( $(date +%s) + timeout )) pid
  while :; do
    if "$@"; then return 0; fi
    pid="$(cut -d' ' -f1 "$(pid_file "$part")" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      fail_part "$part" "exited before it was ready ($what)"
    fi
    if (( $(date +%s) >= deadline )); then
      fail_part "$part" "not ready after ${timeout}s ($what)"
    fi
    sleep 0.5
  done
}

fail_part() {
  local part=$1 msg=$2 log; log="$(log_file "$part")"
  printf '%s[%s]%s %sERROR:%s %s %s\n' "$_B" "$SCRIPT_NAME" "$_N" "$_R" "$_N" "$part" "$msg" >&2
  if [[ -f "$log" ]]; then
    printf -- '----- last lines of %s -----\n' "$log" >&2
    tail -n 25 "$log" >&2 || true
    printf -- '----- full log: %s\n' "$log" >&2
  fi
  exit 1
}

# stop_part PART [TIMEOUT_S]: TERM to the part's process group, KILL after the timeout.
stop_part() {
  local part=$1 timeout=${2:-30} pid i
  if ! pid="$(part_pid "$part")"; then
    rm -f "$(pid_file "$part")"
    return 1
  fi
  say "stopping $part (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$part did not stop within ${timeout}s: killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  # stragglers of the group (e.g. the JVM under kc.sh)
  pkill_group "$pid"
  rm -f "$(pid_file "$part")"
  return 0
}

pkill_group() {
  local pgid=$1 p
  for p in $(ps -e -o pid=,pgid= | awk -v g="$pgid" '$2 == g { print $1 }'); do
    kill -KILL "$p" 2>/dev/null || true
  done
}

# --- routes.yaml (a flat YAML subset, see the file's header) -----------------
# yaml_list FILE SECTION: one line per list item, "key=value" pairs separated by tabs.
yaml_list() {
  awk -v section="$2" '
    function flush() { if (item != "") print item; item = "" }
    /^[[:space:]]*#/ || /^[[:space:]]*$/ { next }
    /^[^[:space:]-][^:]*:/ { flush(); insec = ($0 ~ "^" section ":"); next }
    !insec { next }
    {
      line = $0
      sub(/[[:space:]]+#.*$/, "", line)
      if (line ~ /^[[:space:]]*-[[:space:]]/) { flush(); sub(/^[[:space:]]*-[[:space:]]*/, "", line) }
      sub(/^[[:space:]]+/, "", line)
      k = line; sub(/:.*/, "", k)
      v = line; sub(/^[^:]*:[[:space:]]*/, "", v); sub(/[[:space:]]+$/, "", v)
      gsub(/^["\047]|["\047]$/, "", v)
      item = item (item == "" ? "" : "\t") k "=" v
    }
    END { flush() }
  ' "$1"
}

# field "k=v<TAB>k2=v2" KEY
field() { tr '\t' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { sub(/^[^=]*=/, ""); print; exit }'; }

# SERVICES: "name port health" lines
load_services() {
  SERVICES=()
  local line
  while IFS= read -r line; do
    SERVICES+=("$(field "$line" name) $(field "$line" port) $(field "$line" health)")
  done < <(yaml_list "$ROUTES_FILE" services)
  ((${#SERVICES[@]})) || die "no services found in $ROUTES_FILE"
}

service_jar() { printf '%s/%s/target/quarkus-app/quarkus-run.jar' "$REPO_ROOT" "$1"; }

# --- PostgreSQL ---------------------------------------------------------------------
pg_version() {
  if [[ -n "${CONTINUUM_PG_VERSION:-}" ]]; then echo "$CONTINUUM_PG_VERSION"; return; fi
  local v
  v="$(pg_lsclusters -h 2>/dev/null | awk '$2 == "main" && $3 == '"$PG_PORT"' { print $1; exit }')"
  [[ -n "$v" ]] || v="$(pg_lsclusters -h 2>/dev/null | awk '$2 == "main" { print $1; exit }')"
  [[ -n "$v" ]] || v="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
  echo "${v:-15}"
}
pg_status() { pg_lsclusters -h 2>/dev/null | awk -v v="$1" '$1 == v && $2 == "main" { print $4; exit }'; }
# psql as the postgres superuser over the local socket
pg_super() { (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 "$@"); }
pg_app_ok() { PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=3 psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "${1:-continuum_auth}" -tAc 'select 1' >/dev/null 2>&1; }
pg_running() { [[ "$(pg_status "$(pg_version)")" == online* ]]; }
