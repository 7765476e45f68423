#!/usr/bin/env bash
# Starts the local Continuum stack; idempotent (what already runs is left alone).
#
#   deploy/local/up.sh                     PostgreSQL, Kafka, Keycloak, the five services, the gateway
#   deploy/local/up.sh --infra             PostgreSQL, Kafka, Keycloak only (what the tests need)
#   deploy/local/up.sh --build             also rebuild the services (./mvnw -DskipTests install) first
#   deploy/local/up.sh --restart-services  restart services that up.sh runs (e.g. after a rebuild)
#
# Environment: CONTINUUM_RUN_DIR (default <repo>/.run), CONTINUUM_CACHE
# (default ~/.cache/continuum), CONTINUUM_GATEWAY_PORT (8080),
# CONTINUUM_KC_ADMIN_USER / CONTINUUM_KC_ADMIN_PASSWORD (admin/admin, first
# Keycloak start only), CONTINUUM_SERVICE_XMX (256m), CONTINUUM_SERVICE_JVM_OPTS and
# CONTINUUM_KAFKA_JVM_OPTS (extra JVM options; Kafka: -XX:+UseG1GC).
# See docs/operations.md.
SCRIPT_NAME=up
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

INFRA_ONLY=0 FORCE_BUILD=0 RESTART_SERVICES=0
for arg in "$@"; do
  case "$arg" in
    --infra) INFRA_ONLY=1 ;;
    --build) FORCE_BUILD=1 ;;
    --restart-services) RESTART_SERVICES=1 ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (try --help)" ;;
  esac
done

T0=$(now_ms)
CHANGED=0   # did this run start or change anything?
init_dirs
take_lock
ensure_tools

# ----------------------------------------------------------------------------- PostgreSQL
up_postgres() {
  if ! command -v pg_ctlcluster >/dev/null || [[ -z "$(ls /usr/lib/postgresql/*/bin/postgres 2>/dev/null)" ]]; then
    apt_install postgresql postgresql-client
    CHANGED=1
  fi
  local v status
  v="$(pg_version)"
  status="$(pg_status "$v")"
  if [[ -z "$status" ]]; then
    say "postgres: creating cluster $v/main"
    pg_createcluster "$v" main -p "$PG_PORT" >>"$LOG_DIR/postgres.log" 2>&1 9>&- || die "pg_createcluster failed, see $LOG_DIR/postgres.log"
    status="$(pg_status "$v")"
  fi
  if [[ "$status" != online* ]]; then
    say "postgres: starting the system cluster $v/main"
    pg_ctlcluster --skip-systemctl-redirect "$v" main start >>"$LOG_DIR/postgres.log" 2>&1 9>&- ||
      die "PostgreSQL $v/main did not start; see $LOG_DIR/postgres.log and /var/log/postgresql/postgresql-$v-main.log"
    mkdir -p "$RUN_DIR/postgres"
    echo "$v" >"$RUN_DIR/postgres/started-by-up"
    CHANGED=1
  fi
  local port
  port="$(pg_lsclusters -h | awk -v v="$v" '$1 == v && $2 == "main" { print $3 }')"
  [[ "$port" == "$PG_PORT" ]] || die "PostgreSQL $v/main listens on port $port, expected $PG_PORT (see /etc/postgresql/$v/main/postgresql.conf)"

  # Role, databases, max_connections: one query tells whether anything is missing.
  local in_list want state
  in_list="$(printf "'%s'," "${PG_DATABASES[@]}")"; in_list="${in_list%,}"
  want="1|${#PG_DATABASES[@]}|ok"
  state="$(pg_super -tAc "select
      (select count(*) from pg_roles where rolname = '$PG_USER' and rolcanlogin and rolcreatedb)
      || '|' || (select count(*) from pg_database d join pg_roles r on r.oid = d.datdba
                 where d.datname in ($in_list) and r.rolname = '$PG_USER')
      || '|' || (case when current_setting('max_connections')::int >= $PG_MAX_CONNECTIONS then 'ok' else 'low' end)")" ||
    die "cannot query PostgreSQL as the postgres user"
  if [[ "$state" != "$want" ]] || ! pg_app_ok; then
    say "postgres: provisioning role $PG_USER and ${#PG_DATABASES[@]} databases"
    {
      cat <<SQL
do \$\$ begin
  if not exists (select 1 from pg_roles where rolname = '$PG_USER') then
    create role $PG_USER login createdb password '$PG_PASSWORD';
  end if;
end \$\$;
alter role $PG_USER with login createdb password '$PG_PASSWORD';
SQL
      local db
      for db in "${PG_DATABASES[@]}"; do
        echo "select 'create database $db owner $PG_USER' where not exists (select 1 from pg_database where datname = '$db')"
        echo '\gexec'
        echo "alter database $db owner to $PG_USER;"
      done
    } | pg_super >>"$LOG_DIR/postgres.log" 2>&1 || die "provisioning PostgreSQL failed, see $LOG_DIR/postgres.log"
    if [[ "${state##*|}" == low ]]; then
      say "postgres: raising max_connections to $PG_MAX_CONNECTIONS (restarting the cluster)"
      pg_super -c "alter system set max_connections = $PG_MAX_CONNECTIONS" >>"$LOG_DIR/postgres.log" 2>&1
      pg_ctlcluster --skip-systemctl-redirect "$v" main restart >>"$LOG_DIR/postgres.log" 2>&1 9>&- ||
        die "PostgreSQL restart failed; see /var/log/postgresql/postgresql-$v-main.log"
    fi
    CHANGED=1
  fi
  if ! pg_app_ok; then
    # Debian's pg_hba.conf allows scram/md5 on 127.0.0.1; add a rule if someone removed it.
    local hba; hba="$(pg_super -tAc 'show hba_file')"
    warn "password login over TCP failed: adding 'host all $PG_USER 127.0.0.1/32 scram-sha-256' to $hba"
    sed -i "1i host all $PG_USER 127.0.0.1/32 scram-sha-256" "$hba"
    pg_super -c 'select pg_reload_conf()' >/dev/null
    sleep 0.5
    pg_app_ok || die "cannot log in as $PG_USER on $PG_HOST:$PG_PORT with a password; check $hba"
  fi
  ok "postgres   up     postgresql://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/<db> (cluster $v/main)"
}

# ----------------------------------------------------------------------------- Kafka
KAFKA_DIR="$RUN_DIR/kafka"
KAFKA_CP="$KAFKA_DIR/classpath.txt"

kafka_classpath() {
  local pom="$DEPLOY_DIR/kafka/pom.xml" stamp="$KAFKA_DIR/classpath.sha256" h
  h="$(file_hash "$pom")"
  if [[ -s "$KAFKA_CP" && "$(cat "$stamp" 2>/dev/null)" == "$h" ]] && [[ -f "$(cut -d: -f1 "$KAFKA_CP")" ]]; then return 0; fi
  say "kafka: resolving the broker classpath (Maven Central, once)"
  mkdir -p "$KAFKA_DIR"
  (cd "$REPO_ROOT" && ./mvnw -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$KAFKA_CP") \
    >"$LOG_DIR/kafka-classpath.log" 2>&1 || die "resolving Kafka's classpath failed, see $LOG_DIR/kafka-classpath.log"
  echo "$h" >"$stamp"
}

ensure_topics() {
  local src="$DEPLOY_DIR/kafka/EnsureTopics.java" classes="$KAFKA_DIR/tools"
  if [[ ! -f "$classes/EnsureTopics.class" || "$src" -nt "$classes/EnsureTopics.class" ]]; then
    mkdir -p "$classes"
    javac -nowarn -cp "$(cat "$KAFKA_CP")" -d "$classes" "$src" >"$LOG_DIR/kafka-topics.log" 2>&1 ||
      die "compiling $src failed, see $LOG_DIR/kafka-topics.log"
  fi
  say "kafka: ensuring topics from deploy/kafka/topics.yaml"
  if ! java -cp "$classes:$(cat "$KAFKA_CP")" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      EnsureTopics "$DEPLOY_DIR/kafka/topics.yaml" "$KAFKA_BOOTSTRAP" 60 >"$LOG_DIR/kafka-topics.log" 2>&1; then
    tail -n 20 "$LOG_DIR/kafka-topics.log" >&2
    die "creating Kafka topics failed, see $LOG_DIR/kafka-topics.log (broker log: $(log_file kafka))"
  fi
  grep '^  ' "$LOG_DIR/kafka-topics.log" || true
  file_hash "$DEPLOY_DIR/kafka/topics.yaml" >"$KAFKA_DIR/topics.sha256"
}

up_kafka() {
  local pid
  if pid="$(part_pid kafka)"; then
    say "kafka: already running (pid $pid)"
    if [[ "$(cat "$KAFKA_DIR/topics.sha256" 2>/dev/null)" != "$(file_hash "$DEPLOY_DIR/kafka/topics.yaml")" ]]; then
      kafka_classpath; ensure_topics; CHANGED=1
    fi
  elif port_open 127.0.0.1 "$KAFKA_PORT"; then
    warn "port $KAFKA_PORT is taken by a process up.sh did not start: using it as Kafka (down.sh leaves it alone)"
    kafka_classpath; ensure_topics
  else
    kafka_classpath
    mkdir -p "$KAFKA_DIR/data"
    sed -e "s|@PORT@|$KAFKA_PORT|g" -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" -e "s|@LOG_DIR@|$KAFKA_DIR/data|g" \
      "$DEPLOY_DIR/kafka/server.properties" >"$KAFKA_DIR/server.properties"
    if [[ ! -f "$KAFKA_DIR/data/meta.properties" ]]; then
      say "kafka: formatting KRaft storage in $KAFKA_DIR/data (once)"
      local cid
      cid="$(java -cp "$(cat "$KAFKA_CP")" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
      java -cp "$(cat "$KAFKA_CP")" kafka.tools.StorageTool format -t "$cid" -c "$KAFKA_DIR/server.properties" \
        >"$LOG_DIR/kafka-format.log" 2>&1 || die "formatting Kafka storage failed, see $LOG_DIR/kafka-format.log"
    fi
    say "kafka: starting broker $KAFKA_VERSION on $KAFKA_BOOTSTRAP (controller :$KAFKA_CONTROLLER_PORT)"
    start_bg kafka "$KAFKA_DIR" java -Xms256m -Xmx512m $KAFKA_JVM_OPTS -Dkafka.logs.dir="$KAFKA_DIR/logs" \
      -cp "$(cat "$KAFKA_CP")" kafka.Kafka "$KAFKA_DIR/server.properties"
    KAFKA_PENDING=1 CHANGED=1
    return   # finish_kafka waits, so Keycloak can start meanwhile
  fi
  ok "kafka      up     $KAFKA_BOOTSTRAP"
}

KAFKA_PENDING=0
finish_kafka() {
  ((KAFKA_PENDING)) || return 0
  wait_for kafka 90 "port $KAFKA_PORT" port_open 127.0.0.1 "$KAFKA_PORT"
  ensure_topics
  ok "kafka      up     $KAFKA_BOOTSTRAP"
}

# ----------------------------------------------------------------------------- Keycloak
KC_STATE_DIR="$CACHE_DIR/state"
# The realm's import marker lives beside the database it describes (the system
# PostgreSQL outlives run dirs), keyed by database address.
KC_REALM_STAMP="$KC_STATE_DIR/realm-$KC_REALM@$PG_HOST-$PG_PORT-keycloak.sha256"

kc_env() {
  export KC_DB_URL="jdbc:postgresql://$PG_HOST:$PG_PORT/keycloak"
  export KC_DB_USERNAME="$PG_USER" KC_DB_PASSWORD="$PG_PASSWORD"
  export KC_HOSTNAME="$KC_URL" KC_HTTP_ENABLED=true KC_HTTP_PORT="$KC_PORT"
  export KC_HTTP_MANAGEMENT_PORT="$KC_MGMT_PORT"
  # Only acts when the master realm has no user yet (first start on an empty database).
  export KC_BOOTSTRAP_ADMIN_USERNAME="$KC_ADMIN_USER" KC_BOOTSTRAP_ADMIN_PASSWORD="$KC_ADMIN_PASSWORD"
  export JAVA_OPTS_KC_HEAP="${JAVA_OPTS_KC_HEAP:--Xms128m -Xmx768m}"
}

kc_install() {
  if [[ ! -x "$KC_HOME/bin/kc.sh" ]]; then
    local zip="$CACHE_DIR/keycloak-quarkus-dist-$KC_VERSION.zip"
    if [[ ! -s "$zip" ]]; then
      say "keycloak: downloading org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip (177 MB, once) into $CACHE_DIR"
      (cd "$REPO_ROOT" && ./mvnw -q -B -N dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" \
        -DoutputDirectory="$CACHE_DIR" -Dmdep.overWriteReleases=true) >"$LOG_DIR/keycloak-download.log" 2>&1 ||
        die "downloading Keycloak failed, see $LOG_DIR/keycloak-download.log"
    fi
    say "keycloak: unpacking into $KC_HOME"
    rm -rf "$KC_HOME.tmp" && mkdir -p "$KC_HOME.tmp"
    unzip -q "$zip" -d "$KC_HOME.tmp" || die "unzip $zip failed (delete it to download again)"
    rm -rf "$KC_HOME" && mv "$KC_HOME.tmp/keycloak-$KC_VERSION" "$KC_HOME" && rm -rf "$KC_HOME.tmp"
  fi
  local marker="$KC_HOME/.continuum-build"
  if [[ "$(cat "$marker" 2>/dev/null)" != "${KC_BUILD_OPTS[*]}" ]]; then
    say "keycloak: kc.sh build ${KC_BUILD_OPTS[*]} (once, ~30 s)"
    "$KC_HOME/bin/kc.sh" build "${KC_BUILD_OPTS[@]}" >"$LOG_DIR/keycloak-build.log" 2>&1 ||
      die "kc.sh build failed, see $LOG_DIR/keycloak-build.log"
    echo "${KC_BUILD_OPTS[*]}" >"$marker"
  fi
}

kc_ready() { http_ok "http://127.0.0.1:$KC_MGMT_PORT/health/ready"; }
kc_realm_in_db() {
  [[ "$(pg_super -d keycloak -tAc "select count(*) from realm where name = '$KC_REALM'" 2>/dev/null)" == 1 ]]
}
kc_realm_current() {
  [[ "$(cat "$KC_REALM_STAMP" 2>/dev/null)" == "$(file_hash "$KC_REALM_FILE")" ]] && kc_realm_in_db
}

up_keycloak() {
  local pid
  if pid="$(part_pid keycloak)"; then
    if kc_realm_current; then
      wait_for keycloak 240 "http://127.0.0.1:$KC_MGMT_PORT/health/ready" kc_ready
      say "keycloak: already running (pid $pid)"
      ok "keycloak   up     $KC_URL/realms/$KC_REALM (admin console $KC_URL/admin)"
      return
    fi
    say "keycloak: $KC_REALM_FILE changed since the last import: restarting Keycloak to re-import it"
    stop_part keycloak 60 || true
  elif port_open 127.0.0.1 "$KC_PORT" || port_open 127.0.0.1 "$KC_MGMT_PORT"; then
    kc_realm_current || warn "the realm file changed, but Keycloak on :$KC_PORT was not started by up.sh: stop it and re-run up.sh to re-import"
    kc_ready || die "port $KC_PORT or $KC_MGMT_PORT is taken by a process up.sh did not start, and it is not a ready Keycloak"
    warn "Keycloak on :$KC_PORT was not started by up.sh: using it (down.sh leaves it alone)"
    ok "keycloak   up     $KC_URL/realms/$KC_REALM"
    return
  fi

  kc_install
  kc_env
  mkdir -p "$KC_STATE_DIR" "$RUN_DIR/keycloak"
  local args=(start --optimized)
  local hash; hash="$(file_hash "$KC_REALM_FILE")"
  if ! kc_realm_in_db; then
    say "keycloak: realm $KC_REALM will be imported from deploy/keycloak/continuum-realm.json at start"
    mkdir -p "$KC_HOME/data/import"
    rm -f "$KC_HOME/data/import/"*.json
    cp "$KC_REALM_FILE" "$KC_HOME/data/import/$KC_REALM-realm.json"
    args+=(--import-realm)
  elif [[ "$(cat "$KC_REALM_STAMP" 2>/dev/null)" != "$hash" ]]; then
    say "keycloak: re-importing realm $KC_REALM (kc.sh import --override true; the realm's sessions end)"
    "$KC_HOME/bin/kc.sh" import --optimized --file "$KC_REALM_FILE" --override true \
      >"$LOG_DIR/keycloak-import.log" 2>&1 || die "realm import failed, see $LOG_DIR/keycloak-import.log"
    echo "$hash" >"$KC_REALM_STAMP"
  fi
  say "keycloak: starting $KC_VERSION on $KC_URL (management :$KC_MGMT_PORT)"
  start_bg keycloak "$RUN_DIR/keycloak" "$KC_HOME/bin/kc.sh" "${args[@]}"
  KC_PENDING=1 KC_HASH="$hash" CHANGED=1
}

KC_PENDING=0
finish_keycloak() {
  ((KC_PENDING)) || return 0
  local hash=$KC_HASH
  wait_for keycloak 240 "http://127.0.0.1:$KC_MGMT_PORT/health/ready" kc_ready
  rm -f "$KC_HOME/data/import/"*.json
  kc_realm_in_db || fail_part keycloak "is ready but realm $KC_REALM is missing from its database"
  echo "$hash" >"$KC_REALM_STAMP"
  wait_for keycloak 30 "$KC_URL/realms/$KC_REALM" http_ok "http://127.0.0.1:$KC_PORT/realms/$KC_REALM/.well-known/openid-configuration"
  ok "keycloak   up     $KC_URL/realms/$KC_REALM (admin console $KC_URL/admin)"
}

# ----------------------------------------------------------------------------- services
build_services() {
  say "services: building (./mvnw -q -B -DskipTests install), log $LOG_DIR/build.log"
  local t; t=$(now_ms)
  (cd "$REPO_ROOT" && ./mvnw -q -B -DskipTests install) >"$LOG_DIR/build.log" 2>&1 || {
    tail -n 30 "$LOG_DIR/build.log" >&2
    die "the build failed, see $LOG_DIR/build.log"
  }
  say "services: built in $(elapsed "$t")"
}

# Ready = the health check answers AND the port is held by the process we started
# (not by someone else's copy of the service that grabbed the port meanwhile).
service_ready() {
  local pid; pid="$(cut -d' ' -f1 "$(pid_file "$1")" 2>/dev/null)" || return 1
  http_ok "http://127.0.0.1:$2$3" || return 1
  command -v ss >/dev/null || return 0
  ss -ltnpH "sport = :$2" 2>/dev/null | grep -q "pid=$pid," && return 0
  kill -0 "$pid" 2>/dev/null || return 1   # wait_for reports the exit
  fail_part "$1" "is running, but port $2 is answered by another process ($(ss -ltnpH "sport = :$2" | grep -o 'users:.*'))"
}

up_services() {
  load_services
  local s name port health missing=()
  for s in "${SERVICES[@]}"; do
    read -r name port health <<<"$s"
    [[ -f "$(service_jar "$name")" ]] || missing+=("$name")
  done
  if ((FORCE_BUILD)) || ((${#missing[@]})); then
    ((${#missing[@]})) && say "services: no jar yet for ${missing[*]}"
    build_services
    for s in "${missing[@]}"; do
      [[ -f "$(service_jar "$s")" ]] || die "$s: the build made no $(service_jar "$s") (is it a Quarkus module with the fast-jar package type?)"
    done
  fi
  local started=() pid
  for s in "${SERVICES[@]}"; do
    read -r name port health <<<"$s"
    if pid="$(part_pid "$name")"; then
      if ((RESTART_SERVICES || FORCE_BUILD)); then
        stop_part "$name" 30 || true
      else
        say "$name: already running (pid $pid)"
        continue
      fi
    fi
    if port_open 127.0.0.1 "$port"; then
      http_ok "http://127.0.0.1:$port$health" ||
        die "$name: port $port is taken by a process up.sh did not start, and it does not answer $health"
      warn "$name: port $port is taken by a process up.sh did not start: using it (down.sh leaves it alone)"
      continue
    fi
    say "$name: starting on :$port"
    # the local billing-sync-service trusts the simulator's test App Store root and Google keys (docs/billing.md)
    start_bg "$name" "$REPO_ROOT/$name" env QUARKUS_HTTP_PORT="$port" \
      CONTINUUM_APP_STORE_ROOTS="${CONTINUUM_APP_STORE_ROOTS:-$REPO_ROOT/billing-provider-simulator/src/main/resources/app-store/root.pem}" \
      CONTINUUM_PLAY_SERVICE_ACCOUNT="${CONTINUUM_PLAY_SERVICE_ACCOUNT:-$REPO_ROOT/billing-provider-simulator/src/main/resources/play-store/service-account.json}" \
      CONTINUUM_PLAY_JWKS_URL="${CONTINUUM_PLAY_JWKS_URL:-http://127.0.0.1:8086/sim/play-store/certs}" \
      CONTINUUM_PLAY_TOKEN_URL="${CONTINUUM_PLAY_TOKEN_URL:-http://127.0.0.1:8086/sim/play-store/token}" \
      CONTINUUM_PLAY_API_URL="${CONTINUUM_PLAY_API_URL:-http://127.0.0.1:8086/sim/play-store}" \
      java -Xmx"$SERVICE_XMX" $SERVICE_JVM_OPTS -jar "$(service_jar "$name")"
    started+=("$name")
  done
  for s in "${SERVICES[@]}"; do
    read -r name port health <<<"$s"
    [[ " ${started[*]} " == *" $name "* ]] || { ok "$(printf '%-22s' "$name") up     http://127.0.0.1:$port"; continue; }
    wait_for "$name" 180 "http://127.0.0.1:$port$health" service_ready "$name" "$port" "$health"
    CHANGED=1
    ok "$(printf '%-22s' "$name") up     http://127.0.0.1:$port"
  done
}

# ----------------------------------------------------------------------------- gateway
GW_DIR="$RUN_DIR/gateway"

# Repeated in every location: nginx inherits proxy_set_header from the server
# level only into locations that set none themselves.
proxy_headers() {
  cat <<'EOF'
      proxy_set_header Host $http_host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
EOF
}

# The gateway's own errors as RFC 9457 problem+json (issue 8), never nginx's HTML pages: request too large or
# malformed, unknown route, upstream down or slow. A service's own error answers pass through untouched
# (proxy_intercept_errors stays off). Internal URI locations, not named ones: nginx cannot redirect a request whose
# request line it could not read (414, %00 in the path) to a named location. One line per status: status|slug|title|detail (494 is nginx's internal code
# for "header too large", answered as 431).
gateway_problem_pages() {
  local code slug title detail
  while IFS='|' read -r code slug title detail; do
    [[ -n "$code" ]] || continue
    if [[ "$code" == 494 ]]; then
      printf '    error_page 494 =431 /_problem/431;\n'
      code=431
    else
      printf '    error_page %s /_problem/%s;\n' "$code" "$code"
    fi
    printf '    location = /_problem/%s {\n      internal;\n      default_type application/problem+json;\n      add_header Cache-Control no-store always;\n' "$code"
    printf "      return %s '{\"type\":\"https://continuum.dev/problems/%s\",\"title\":\"%s\",\"status\":%s,\"detail\":\"%s\"}';\n    }\n" \
      "$code" "$slug" "$title" "$code" "$detail"
  done <<'PAGES'
400|bad-request|Bad request|The gateway could not read this HTTP request (malformed request line, header, path or body framing).
404|not-found|Not found|The gateway has no route for this path.
405|method-not-allowed|Method not allowed|The gateway does not accept this HTTP method.
408|request-timeout|Request timeout|The request was not sent completely in time.
411|length-required|Length required|This request needs a Content-Length.
413|too-large|Payload too large|The request body is larger than the gateway accepts (8 MiB).
414|uri-too-long|URI too long|The request line is longer than the gateway accepts (8 KiB).
494|headers-too-large|Request header fields too large|A request header, or all of them together, are larger than the gateway accepts (8 KiB each, 16 KiB in all).
500|internal|Internal error|The gateway failed to handle the request.
501|not-implemented|Not implemented|The gateway does not support this request (e.g. its Transfer-Encoding).
502|bad-gateway|Bad gateway|The service behind this route is not reachable or answered badly; retry with backoff.
503|unavailable|Service unavailable|The service behind this route is unavailable; retry with backoff.
504|gateway-timeout|Gateway timeout|The service behind this route did not answer in time; retry with backoff.
PAGES
}

gateway_conf() {
  load_services
  local out=$1 s name port health line prefix svc ws
  {
    cat <<EOF
# Generated by deploy/local/up.sh from deploy/gateway/routes.yaml: do not edit.
worker_processes 1;
pid $GW_DIR/nginx.pid;
error_log $LOG_DIR/gateway-error.log warn;
events { worker_connections 16384; }
worker_rlimit_nofile 40000;
http {
  default_type application/octet-stream;
  # the combined format plus the client's W3C traceparent (forwarded unchanged, as every request header is), so a
  # gateway line can be found from a trace and the other way round; never the Authorization header
  log_format continuum '\$remote_addr - [\$time_local] "\$request" \$status \$body_bytes_sent \$request_time'
                       ' "\$http_user_agent" traceparent="\$http_traceparent"';
  # buffered: one write(2) per 64 KiB of lines instead of one per request (a line reaches the file within 1 s)
  access_log $LOG_DIR/gateway-access.log continuum buffer=64k flush=1s;
  # nginx closes a client's keep-alive connection after 1,000 requests by default; a device's SDK or a load test
  # would reconnect every 1,000 requests for nothing
  keepalive_requests 100000;
  client_body_temp_path $GW_DIR/tmp/client_body;
  proxy_temp_path $GW_DIR/tmp/proxy;
  fastcgi_temp_path $GW_DIR/tmp/fastcgi;
  uwsgi_temp_path $GW_DIR/tmp/uwsgi;
  scgi_temp_path $GW_DIR/tmp/scgi;
  # At most every service's quarkus.http.limits.max-body-size (session-service: 8M; default 10M): a bigger body gets
  # the gateway's own 413 problem+json. Were it larger, the service would refuse the body mid-upload, close the
  # connection, and the client would see a 502.
  client_max_body_size 8m;
  # Request line at most 8k (services accept 8192, quarkus.http.limits.max-initial-line-length), and at most 2 header
  # buffers of 8k (services accept 20K of headers): over that the gateway answers 414 / 431 problem+json itself.
  large_client_header_buffers 2 8k;
  server_tokens off;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }

EOF
    for s in "${SERVICES[@]}"; do
      read -r name port health <<<"$s"
      printf '  upstream %s { server 127.0.0.1:%s; keepalive 32; keepalive_requests 100000; }\n' "$name" "$port"
    done
    cat <<EOF

  server {
    listen $GATEWAY_HOST:$GATEWAY_PORT;$(gateway_ipv6_listen)
    server_name localhost;
    proxy_http_version 1.1;
    proxy_connect_timeout 5s;
    proxy_read_timeout 60s;
    proxy_send_timeout 60s;

    location = /healthz { access_log off; default_type text/plain; return 200 "ok\n"; }
$(gateway_problem_pages)
    location / {
      default_type application/problem+json;
      return 404 '{"type":"about:blank","title":"Not Found","status":404,"detail":"The gateway has no route for this path."}';
    }
EOF
    while IFS= read -r line; do
      prefix="$(field "$line" prefix)"; svc="$(field "$line" service)"; ws="$(field "$line" websocket)"
      [[ -n "$prefix" && -n "$svc" ]] || die "$ROUTES_FILE: a route needs prefix and service: $line"
      [[ " ${SERVICES[*]} " == *" $svc "* ]] || die "$ROUTES_FILE: route $prefix names unknown service $svc"
      if [[ "$ws" == true ]]; then
        cat <<EOF
    location $prefix {
      proxy_pass http://$svc;
$(proxy_headers)
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
EOF
      else
        cat <<EOF
    location $prefix {
      proxy_pass http://$svc;
$(proxy_headers)
      proxy_set_header Connection "";
    }
EOF
        # The prefix without its slash is the collection itself (GET /api/recommendations?limit=10): without an
        # exact location nginx would answer it with a 301 to the slash form.
        if [[ "$prefix" == */ ]]; then
          cat <<EOF
    location = ${prefix%/} {
      proxy_pass http://$svc;
$(proxy_headers)
      proxy_set_header Connection "";
    }
EOF
        fi
      fi
    done < <(yaml_list "$ROUTES_FILE" routes)
    gateway_static_locations
    cat <<EOF
  }
}
EOF
  } >"$out"
}

# The "static" list of routes.yaml: files the gateway serves itself (the web app).
gateway_static_locations() {
  local line prefix dir index types
  types='types { text/html html; text/javascript js mjs; text/css css; application/json json; image/png png; image/svg+xml svg; }'
  while IFS= read -r line; do
    prefix="$(field "$line" prefix)"; dir="$(field "$line" dir)"; index="$(field "$line" index)"
    [[ -n "$dir" && -n "$prefix$index" ]] || die "$ROUTES_FILE: a static route needs dir and prefix or index: $line"
    [[ -z "$prefix" ]] || cat <<EOF
    location $prefix {
      alias $REPO_ROOT/$dir/;
      $types
      add_header Cache-Control "no-cache";
    }
EOF
    [[ -z "$index" ]] || cat <<EOF
    location = $index {
      root $REPO_ROOT/$dir;
      $types
      add_header Cache-Control "no-cache";
      try_files /index.html =404;
    }
EOF
  done < <(yaml_list "$ROUTES_FILE" static)
}

# The web app's packages (web/package-lock.json, keycloak-js among them): npm ci when the lockfile changed.
web_install() {
  local lock="$REPO_ROOT/web/package-lock.json" stamp="$REPO_ROOT/web/node_modules/.continuum-lock.sha256"
  [[ -f "$lock" ]] || return 0
  [[ "$(cat "$stamp" 2>/dev/null)" == "$(file_hash "$lock")" ]] && return 0
  command -v npm >/dev/null || apt_install nodejs npm
  say "web: npm ci (web/package-lock.json)"
  (cd "$REPO_ROOT/web" && npm ci --no-audit --no-fund) >"$LOG_DIR/web-npm.log" 2>&1 9>&- ||
    die "npm ci in web/ failed, see $LOG_DIR/web-npm.log"
  file_hash "$lock" >"$stamp"
}

# "localhost" may resolve to ::1 first (browsers, Node): listen there too when the
# gateway is on the IPv4 loopback and the machine has IPv6.
gateway_ipv6_listen() {
  if [[ "$GATEWAY_HOST" == 127.0.0.1 ]] && grep -q '00000000000000000000000000000001' /proc/net/if_inet6 2>/dev/null; then
    printf '\n    listen [::1]:%s;' "$GATEWAY_PORT"
  fi
  return 0
}

gateway_ready() { http_ok "http://$GATEWAY_HOST:$GATEWAY_PORT/healthz"; }

up_gateway() {
  command -v nginx >/dev/null || { apt_install nginx; CHANGED=1; }
  web_install
  mkdir -p "$GW_DIR/tmp"
  gateway_conf "$GW_DIR/nginx.conf.new"
  nginx -t -q -p "$GW_DIR" -c "$GW_DIR/nginx.conf.new" -e "$LOG_DIR/gateway-error.log" >"$LOG_DIR/gateway-check.log" 2>&1 ||
    { cat "$LOG_DIR/gateway-check.log" >&2; die "generated nginx config is invalid: $GW_DIR/nginx.conf.new"; }
  local pid
  if pid="$(part_pid gateway)"; then
    if cmp -s "$GW_DIR/nginx.conf.new" "$GW_DIR/nginx.conf"; then
      rm -f "$GW_DIR/nginx.conf.new"
      say "gateway: already running (pid $pid)"
    else
      mv -f "$GW_DIR/nginx.conf.new" "$GW_DIR/nginx.conf"
      say "gateway: routes changed: reloading nginx (pid $pid)"
      kill -HUP "$pid"
      CHANGED=1
    fi
  elif port_open "$GATEWAY_HOST" "$GATEWAY_PORT"; then
    rm -f "$GW_DIR/nginx.conf.new"
    die "gateway: port $GATEWAY_PORT is taken by a process up.sh did not start (set CONTINUUM_GATEWAY_PORT to use another)"
  else
    mv -f "$GW_DIR/nginx.conf.new" "$GW_DIR/nginx.conf"
    say "gateway: starting nginx on $GATEWAY_HOST:$GATEWAY_PORT (routes from deploy/gateway/routes.yaml)"
    start_bg gateway "$GW_DIR" nginx -p "$GW_DIR" -c "$GW_DIR/nginx.conf" -e "$LOG_DIR/gateway-error.log" -g 'daemon off;'
    wait_for gateway 20 "http://$GATEWAY_HOST:$GATEWAY_PORT/healthz" gateway_ready
    CHANGED=1
  fi
  ok "gateway    up     http://localhost:$GATEWAY_PORT"
}

# ----------------------------------------------------------------------------- main
say "run dir $RUN_DIR, cache $CACHE_DIR"
up_postgres
up_kafka          # starts the broker, does not wait
up_keycloak       # installs/builds/starts Keycloak meanwhile
finish_kafka      # waits for the broker, ensures topics
finish_keycloak   # waits for Keycloak and its realm
if ((!INFRA_ONLY)); then
  up_services
  up_gateway
fi

echo
if ((CHANGED)); then
  ok "stack ready in $(elapsed "$T0")$( ((INFRA_ONLY)) && echo ' (infra only)')"
else
  ok "everything was already running: nothing to do ($(elapsed "$T0"))"
fi
cat <<EOF
  PostgreSQL   $PG_HOST:$PG_PORT  user $PG_USER / $PG_PASSWORD
  Kafka        $KAFKA_BOOTSTRAP
  Keycloak     $KC_URL  realm $KC_REALM  (issuer $KC_URL/realms/$KC_REALM; health http://127.0.0.1:$KC_MGMT_PORT/health/ready)
EOF
if ((!INFRA_ONLY)); then
  load_services
  for s in "${SERVICES[@]}"; do
    read -r name port health <<<"$s"
    printf '  %-22s http://127.0.0.1:%s\n' "$name" "$port"
  done
  printf '  Gateway      http://localhost:%s  (routes: deploy/gateway/routes.yaml)\n' "$GATEWAY_PORT"
fi
echo "  Logs         $LOG_DIR   status: deploy/local/status.sh   stop: deploy/local/down.sh"
