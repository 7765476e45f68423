#!/usr/bin/env bash
# The project's test command (README, .ci/run): the whole suite against the real local stack.
#
#   1. deploy/local/up.sh --infra        PostgreSQL, Kafka, Keycloak
#   2. ./mvnw -B install -pl '!e2e'      every module and its tests
#   3. deploy/local/up.sh --restart-services
#                                        the services (fresh jars) and the gateway
#   4. ./mvnw -B -pl e2e verify          whole-suite scenarios through the gateway
#   5. web/ browser tests                two windows of one account in headless
#                                        Chromium (Debian's package, installed
#                                        when missing), npm test in web/
#   6. ./mvnw -B -pl e2e verify -Pdrills fault drills: Kafka stopped, PostgreSQL
#                                        restarted, Keycloak down, session-service
#                                        and a notification replica killed, one op
#                                        traced across two services; each
#                                        restores what it broke
#   always: deploy/local/down.sh for the parts this script started (a stack that
#   was already running is left as it was found, with the services restarted on
#   the new jars).
# Extra arguments go to both Maven runs (e.g. -o, -Dtest=...).
SCRIPT_NAME=test
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

HERE="$DEPLOY_DIR/local"
init_dirs
BEFORE=" $("$HERE/status.sh" --running | tr '\n' ' ') "
say "already running before the tests: $(echo $BEFORE)"
T0=$(now_ms)

cleanup() {
  local rc=$? stop=() p
  for p in gateway $(load_services; for s in "${SERVICES[@]}"; do echo "${s%% *}"; done) keycloak kafka postgres; do
    [[ "$BEFORE" == *" $p "* ]] || stop+=("$p")
  done
  if ((${#stop[@]})); then
    say "stopping what the tests started: ${stop[*]}"
    "$HERE/down.sh" "${stop[@]}" || true
  fi
  if ((rc == 0)); then ok "all tests passed ($(elapsed "$T0"))"; else warn "tests failed (exit $rc, $(elapsed "$T0")); logs: $LOG_DIR"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo; say "== $* =="; }

step "1/6 infrastructure"
"$HERE/up.sh" --infra

# web/'s packages before the build: helm/tests puts keycloak-js (web/node_modules) into the web app's image.
command -v npm >/dev/null || apt_install nodejs npm
(cd web && { [[ -d node_modules/keycloak-js ]] || npm ci --no-audit --no-fund; })

step "2/6 build and test all modules except e2e"
./mvnw -B install -pl '!e2e' "$@"

step "3/6 services and gateway from the fresh jars"
"$HERE/up.sh" --restart-services

step "4/6 end-to-end tests"
./mvnw -B -pl e2e verify "$@"

step "5/6 browser tests: two windows of one account in headless Chromium (web/)"
apt_install chromium
(cd web && { [[ -d node_modules/playwright-core ]] || npm ci --no-audit --no-fund; } && npm test)

step "6/6 fault drills (they stop and restore shared servers: nothing else may run meanwhile)"
./mvnw -B -pl e2e verify -Pdrills "$@"
