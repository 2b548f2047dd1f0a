#!/usr/bin/env bash
# reload-under-load.sh — zero-downtime check with wrk: a 4-worker cluster of the ops sample app under
# `wrk -c 50` while it is reloaded (every worker replaced), then scaled 4 -> 2 -> 4, through the CLI.
# Prints wrk's report for each phase: "Socket errors" or "Non-2xx" lines would mean failed requests.
#
# Usage: bench/reload-under-load.sh [--java PATH] [--no-install]
# Builds the jars if missing, installs wrk with apt-get if missing. Everything runs on 127.0.0.1; the cluster
# is started from copies of the jars under /tmp and stopped by PID (SIGTERM, then SIGKILL) on exit.
set -euo pipefail

JAVA=java INSTALL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --java) JAVA=${2:?}; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "reload-under-load: unknown argument $1" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  [ "$INSTALL" = 1 ] || { echo "reload-under-load: wrk is missing" >&2; exit 1; }
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
[ -f agent/target/jcluster.jar ] && [ -f integration-tests/target/samples.jar ] || mvn -B -q -DskipTests package

WORK=$(mktemp -d /tmp/jcluster-reload-XXXXXX)
cp agent/target/jcluster.jar integration-tests/target/samples.jar "$WORK/"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port) ADMIN=$(free_port)
NATIVE=""; [ "$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p')" -ge 24 ] && NATIVE=--enable-native-access=ALL-UNNAMED
"$JAVA" $NATIVE -javaagent:"$WORK/jcluster.jar=processes=4,admin=127.0.0.1:$ADMIN,health=/health" \
  -cp "$WORK/samples.jar" samples.ops.OpsServer "$PORT" > "$WORK/cluster.log" 2>&1 &
PARENT=$!
cleanup() {
  kill -TERM "$PARENT" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$PARENT" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$PARENT" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
cli() { "$JAVA" -jar "$WORK/jcluster.jar" "$@" --admin "127.0.0.1:$ADMIN"; }
for _ in $(seq 100); do cli status >/dev/null 2>&1 && [ "$(cli status | grep -c ' ready ')" = 4 ] && break; sleep 0.3; done
cli status
wrk -t2 -c50 -d5s "http://127.0.0.1:$PORT/" >/dev/null   # warm-up

echo "== rolling reload of 4 workers under wrk -t2 -c50 -d25s"
wrk -t2 -c50 -d25s "http://127.0.0.1:$PORT/" > "$WORK/wrk-reload.txt" & WRK=$!
sleep 3; cli reload; wait $WRK; cat "$WORK/wrk-reload.txt"

echo "== scale 4 -> 2 -> 4 under wrk -t2 -c50 -d20s"
wrk -t2 -c50 -d20s "http://127.0.0.1:$PORT/" > "$WORK/wrk-scale.txt" & WRK=$!
sleep 3; cli scale 2; sleep 3; cli scale 4; wait $WRK; cat "$WORK/wrk-scale.txt"
cli status
