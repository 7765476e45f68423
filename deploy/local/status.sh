#!/usr/bin/env bash
# Shows each part of the local stack: up/down, who started it, its address.
#
#   deploy/local/status.sh            table of all parts
#   deploy/local/status.sh --running  just the names of the running parts (for scripts)
# Exit status: 0 when every part is up, 3 otherwise.
SCRIPT_NAME=status
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MODE=table
case "${1:-}" in
  --running) MODE=names ;;
  -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) die "unknown argument: $1" ;;
esac

all_up=1
row() { # part state how url
  if [[ $MODE == names ]]; then [[ $2 == up ]] && echo "$1"; return 0; fi
  local color=$_G; [[ $2 == up ]] || color=$_R
  printf '%-24s %s%-5s%s %-28s %s\n' "$1" "$color" "$2" "$_N" "$3" "$4"
}
check() { # part probe-cmd... ; prints state and how
  local part=$1 pid; shift
  if pid="$(part_pid "$part")"; then
    if "$@"; then echo "up|pid $pid"; else echo "down|pid $pid, not ready"; fi
  elif "$@"; then echo "up|not started by up.sh"
  else echo "down|"
  fi
}

[[ $MODE == table ]] && printf '%-24s %-5s %-28s %s\n' PART STATE "" URL

# PostgreSQL
if command -v pg_lsclusters >/dev/null && pg_running; then
  how="system cluster $(pg_version)/main"; [[ -f "$RUN_DIR/postgres/started-by-up" ]] && how="started by up.sh"
  if pg_app_ok; then row postgres up "$how" "postgresql://$PG_HOST:$PG_PORT (user $PG_USER)"
  else row postgres down "$how, login as $PG_USER fails" "postgresql://$PG_HOST:$PG_PORT"; all_up=0; fi
else
  row postgres down "" "postgresql://$PG_HOST:$PG_PORT"; all_up=0
fi

IFS='|' read -r st how < <(check kafka port_open 127.0.0.1 "$KAFKA_PORT")
row kafka "$st" "$how" "$KAFKA_BOOTSTRAP"; [[ $st == up ]] || all_up=0

kc_ready() { http_ok "http://127.0.0.1:$KC_MGMT_PORT/health/ready"; }
IFS='|' read -r st how < <(check keycloak kc_ready)
row keycloak "$st" "$how" "$KC_URL/realms/$KC_REALM"; [[ $st == up ]] || all_up=0

load_services
for s in "${SERVICES[@]}"; do
  read -r name port health <<<"$s"
  IFS='|' read -r st how < <(check "$name" http_ok "http://127.0.0.1:$port$health")
  row "$name" "$st" "$how" "http://127.0.0.1:$port"; [[ $st == up ]] || all_up=0
done

IFS='|' read -r st how < <(check gateway http_ok "http://$GATEWAY_HOST:$GATEWAY_PORT/healthz")
row gateway "$st" "$how" "http://localhost:$GATEWAY_PORT"; [[ $st == up ]] || all_up=0

if [[ $MODE == table ]]; then
  echo "logs: $LOG_DIR"
  ((all_up)) || exit 3
fi
exit 0
