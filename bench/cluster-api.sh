#!/usr/bin/env bash
# cluster-api.sh — the Cluster API measured between two real workers: shared map get/put/increment latency,
# publish->deliver round trip, and message throughput, with store=embedded and with store=redis (a redis-server
# started here on a free loopback port, when /usr/bin/redis-server exists).
#
# Runs bench/ClusterBench.java (compiled here against the agent jar) as the app of a 2-worker cluster; worker 0
# measures, worker 1 answers. Each cluster and the redis-server are stopped by pid on exit, Ctrl-C or SIGTERM.
# Writes the table into a new dated section of bench/RESULTS.md (machine, JDK, commit, command) unless --no-write.
#
# Usage: bench/cluster-api.sh [--java PATH] [--stores "embedded redis"] [--no-write]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA="" STORES="embedded redis" WRITE=1
ORIG_ARGS=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --java) JAVA=${2:?}; shift 2 ;;
    --stores) STORES=${2:?}; shift 2 ;;
    --no-write) WRITE=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "cluster-api: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$JAVA" ]; then
  JAVA=java
  [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
fi
log() { echo "[$(date +%H:%M:%S)] cluster-api: $*" >&2; }

JAR="$ROOT/agent/target/jcluster.jar"
if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT/agent/src/main" "$ROOT/bootstrap" -newer "$JAR" -name '*.java' -print -quit)" ]; then
  log "building $JAR"
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi
WORK=$(mktemp -d /tmp/cluster-api.XXXXXX)
cp "$JAR" "$WORK/jcluster.jar"
javac -d "$WORK/classes" -cp "$WORK/jcluster.jar" "$ROOT/bench/ClusterBench.java"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_one() { # $1 store option value, $2 label
  local store=$1 label=$2 port out pid
  port=$(free_port)
  out="$WORK/$label.out"
  log "store=$label: 2 workers on 127.0.0.1:$port"
  "$JAVA" -XX:+UseSerialGC -javaagent:"$WORK/jcluster.jar"=processes=2,store="$store" -Dbench.out="$out" \
    -cp "$WORK/classes" ClusterBench "$port" > "$WORK/$label.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 600); do
    [ -s "$out" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/$label.log" >&2; echo "cluster-api: the cluster exited" >&2; exit 1; }
    sleep 0.5
  done
  [ -s "$out" ] || { tail -30 "$WORK/$label.log" >&2; echo "cluster-api: no result within 300 s" >&2; exit 1; }
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  sed "s/^/$label /" "$out"
}

RESULTS=""
for store in $STORES; do
  case "$store" in
    embedded) RESULTS+=$(run_one embedded embedded)$'\n' ;;
    redis)
      if ! command -v redis-server >/dev/null; then
        echo "######## cluster-api: redis-server is not installed: store=redis NOT MEASURED ########" >&2
        continue
      fi
      rport=$(free_port)
      redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" > "$WORK/redis.log" 2>&1 &
      PIDS+=("$!")
      sleep 0.5
      RESULTS+=$(run_one "redis://127.0.0.1:$rport" redis)$'\n' ;;
    *) echo "cluster-api: unknown store $store" >&2; exit 2 ;;
  esac
done

TABLE=$(printf '%s' "$RESULTS" | awk '
  /publish.throughput/ { printf "| %s | %s | %s msg/s | | | |\n", $1, $2, $3; next }
  NF { split($3,a,"="); split($4,b,"="); split($5,c,"="); split($6,d,"=");
       printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, a[2], b[2], c[2], d[2] }')
HEADER="| store | operation | p50 | p99 | mean | ops/s (one caller) |
|---|---|---|---|---|---|"
echo "$HEADER"
echo "$TABLE"
if [ "$WRITE" = 1 ]; then
  {
    echo
    echo "## Cluster API between two workers, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "\`bench/cluster-api.sh ${ORIG_ARGS[*]}\` at $(cd "$ROOT" && git rev-parse --short HEAD);" \
      "kernel $(uname -r), $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -1)," \
      "redis-server $(redis-server --version 2>/dev/null | awk '{print $3}' | sed 's/v=//')."
    echo "One caller in worker 0, one operation at a time; publish.roundtrip is worker 0 -> worker 1 -> worker 0."
    echo
    echo "$HEADER"
    echo "$TABLE"
  } >> "$ROOT/bench/RESULTS.md"
  log "written to bench/RESULTS.md"
fi
