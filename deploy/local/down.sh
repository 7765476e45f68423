#!/usr/bin/env bash
# Stops what deploy/local/up.sh started (by its PID files) and nothing else.
#
#   deploy/local/down.sh                 stop everything up.sh started
#   deploy/local/down.sh PART...         stop only these parts (postgres kafka keycloak
#                                        <service names> gateway; or "services", "infra")
#   deploy/local/down.sh --purge         also delete the data: Kafka's data dir, the
#                                        Continuum and Keycloak databases, the realm marker
#
# PostgreSQL is the machine's cluster: it is stopped only if up.sh started it.
SCRIPT_NAME=down
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PURGE=0 PARTS=()
for arg in "$@"; do
  case "$arg" in
    --purge) PURGE=1 ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option: $arg" ;;
    *) PARTS+=("$arg") ;;
  esac
done

load_services
SERVICE_NAMES=()
for s in "${SERVICES[@]}"; do read -r name _ <<<"$s"; SERVICE_NAMES+=("$name"); done
ALL=(gateway "${SERVICE_NAMES[@]}" keycloak kafka postgres)   # stop order

if ((${#PARTS[@]} == 0)); then
  SELECTED=("${ALL[@]}")
else
  SELECTED=()
  for p in "${PARTS[@]}"; do
    case "$p" in
      services) SELECTED+=("${SERVICE_NAMES[@]}") ;;
      infra) SELECTED+=(keycloak kafka postgres) ;;
      *) [[ " ${ALL[*]} " == *" $p "* ]] || die "unknown part: $p (parts: ${ALL[*]})"; SELECTED+=("$p") ;;
    esac
  done
fi
selected() { [[ " ${SELECTED[*]} " == *" $1 "* ]]; }

init_dirs
take_lock
stopped=0
# services first, in parallel (each gets 30 s before KILL)
pids=()
for p in gateway "${SERVICE_NAMES[@]}"; do
  selected "$p" || continue
  if part_pid "$p" >/dev/null; then { stop_part "$p" 30 || true; } & pids+=($!); stopped=1; else rm -f "$(pid_file "$p")"; fi
done
((${#pids[@]} == 0)) || wait "${pids[@]}"
for p in keycloak kafka; do
  selected "$p" || continue
  stop_part "$p" 60 && stopped=1 || true
done

if ((PURGE)); then
  if pg_running; then
    say "purge: dropping databases ${PG_DATABASES[*]}"
    for db in "${PG_DATABASES[@]}"; do
      pg_super -c "drop database if exists $db with (force)" >>"$LOG_DIR/postgres.log" 2>&1 || warn "could not drop $db (see $LOG_DIR/postgres.log)"
    done
  else
    warn "purge: PostgreSQL is not running: databases left as they are"
  fi
  rm -f "$CACHE_DIR"/state/realm-*@"$PG_HOST-$PG_PORT"-keycloak.sha256
  say "purge: deleting $RUN_DIR/kafka $RUN_DIR/keycloak $RUN_DIR/gateway"
  rm -rf "$RUN_DIR/kafka" "$RUN_DIR/keycloak" "$RUN_DIR/gateway"
fi

if selected postgres && [[ -f "$RUN_DIR/postgres/started-by-up" ]]; then
  v="$(cat "$RUN_DIR/postgres/started-by-up")"
  if pg_running; then
    say "stopping postgres (cluster $v/main, started by up.sh)"
    pg_ctlcluster --skip-systemctl-redirect "$v" main stop >>"$LOG_DIR/postgres.log" 2>&1 9>&- || warn "pg_ctlcluster stop failed"
    stopped=1
  fi
  rm -f "$RUN_DIR/postgres/started-by-up"
elif selected postgres && ((${#PARTS[@]} > 0)) && pg_running; then
  say "postgres: left running (the system cluster was running before up.sh)"
fi

if ((stopped)); then ok "stopped"; else ok "nothing was running (from $RUN_DIR)"; fi
