#!/usr/bin/env bash
# sessions.sh — the cost of sessions=shared: requests/s and CPU per request of the embedded Tomcat sample's session
# counter (GET /session-count: reads the session's "count", writes count+1) on 2 workers in http mode, under wrk.
#
# Configurations (each a fresh cluster):
#   sticky    sessions=off,  sticky=JSESSIONID (what a user has without shared sessions: each session on its worker)
#   embedded  sessions=shared, round-robin, the parent's embedded store
#   redis     sessions=shared, round-robin, store=redis://127.0.0.1:<free port> (a redis-server started here)
#   shared-sticky  sessions=shared and sticky=JSESSIONID (embedded store): what sticky changes for shared sessions
# Each wrk connection keeps sessions of its own: bench/sessions.lua makes SESSIONS sessions per wrk thread and then
# sends each request with one of them, in turn. CPU is read from /proc/<pid>/stat (utime+stime) of the workers, the
# parent and redis-server, around the measured run only (after a warm-up). Every process is stopped by pid on exit.
# Appends a dated section to bench/RESULTS.md unless --no-write.
#
# Usage: bench/sessions.sh [--java PATH] [--configs "sticky embedded redis"] [--duration 10s] [--warmup 5s]
#                          [--conns 20] [--threads 2] [--sessions 50] [--rounds 1] [--no-write]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA="" CONFIGS="sticky embedded redis" DURATION=10s WARMUP=5s CONNS=20 THREADS=2 SESSIONS=50 ROUNDS=1 WRITE=1
ORIG_ARGS=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --java) JAVA=${2:?}; shift 2 ;;
    --configs) CONFIGS=${2:?}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --warmup) WARMUP=${2:?}; shift 2 ;;
    --conns) CONNS=${2:?}; shift 2 ;;
    --threads) THREADS=${2:?}; shift 2 ;;
    --sessions) SESSIONS=${2:?}; shift 2 ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --no-write) WRITE=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "sessions: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$JAVA" ]; then
  JAVA=java
  [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
fi
log() { echo "[$(date +%H:%M:%S)] sessions: $*" >&2; }
command -v wrk >/dev/null || { echo "sessions: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

JAR="$ROOT/agent/target/jcluster.jar"
APP="$ROOT/integration-tests/apps/tomcat/target/app.jar"
if [ ! -f "$JAR" ] || [ ! -f "$APP" ] \
   || [ -n "$(find "$ROOT/agent/src/main" "$ROOT/bootstrap" -newer "$JAR" -name '*.java' -print -quit)" ]; then
  log "building $JAR and $APP"
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi
WORK=$(mktemp -d /tmp/sessions-bench.XXXXXX)
cp "$JAR" "$WORK/jcluster.jar"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { # utime+stime of the given pids, in clock ticks
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  echo "$total"
}
HZ=$(getconf CLK_TCK)

REDIS_PID="" REDIS_PORT=""
start_redis() {
  command -v redis-server >/dev/null || return 1
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" > "$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  sleep 0.5
}

run_one() { # $1 label, $2 agent options; prints: label rps worker_us parent_us redis_us avg_record_bytes
  local label=$1 options=$2 port admin pid status workers wrk_out requests w0 p0 r0 w1 p1 r1 seconds
  port=$(free_port); admin=$(free_port)
  log "$label: $options on 127.0.0.1:$port"
  "$JAVA" -javaagent:"$WORK/jcluster.jar=$options,admin=127.0.0.1:$admin" -jar "$APP" "$port" nio \
    > "$WORK/$label.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 240); do
    status=$(curl -s "http://127.0.0.1:$admin/status" || true)
    workers=$(python3 -c 'import json,sys
try: s = json.loads(sys.argv[1])
except ValueError: sys.exit()
if s["listeners"] and [w["state"] for w in s["workers"]] == ["ready", "ready"]:
    print(" ".join(str(w["pid"]) for w in s["workers"]))' "$status")
    [ -n "$workers" ] && break
    kill -0 "$pid" 2>/dev/null || { tail -30 "$WORK/$label.log" >&2; echo "sessions: the cluster exited" >&2; exit 1; }
    sleep 0.5
  done
  [ -n "$workers" ] || { echo "sessions: workers not ready within 120 s: $status" >&2; exit 1; }
  SESSIONS=$SESSIONS wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$ROOT/bench/sessions.lua" "http://127.0.0.1:$port/session-count" \
    > /dev/null
  w0=$(ticks $workers); p0=$(ticks "$pid"); r0=$(ticks $REDIS_PID)
  wrk_out=$(SESSIONS=$SESSIONS wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s "$ROOT/bench/sessions.lua" \
    "http://127.0.0.1:$port/session-count")
  w1=$(ticks $workers); p1=$(ticks "$pid"); r1=$(ticks $REDIS_PID)
  echo "$wrk_out" > "$WORK/$label.wrk"
  requests=$(awk '/requests in/ {print $1}' <<<"$wrk_out")
  seconds=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' <<<"$wrk_out")
  grep -q "Non-2xx" <<<"$wrk_out" && { echo "sessions: $label answered errors:" >&2; echo "$wrk_out" >&2; exit 1; }
  status=$(curl -s "http://127.0.0.1:$admin/status")
  local record
  record=$(python3 -c 'import json,sys; s=json.loads(sys.argv[1]).get("sessions"); print(s["writeBytes"]//s["writes"] if s and s["writes"] else "-")' "$status")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  awk -v l="$label" -v n="$requests" -v s="$seconds" -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v r=$((r1 - r0)) \
      -v hz="$HZ" -v rec="$record" 'BEGIN {
    printf "%s %.0f %.1f %.1f %.1f %s\n", l, n / s, w * 1e6 / hz / n, p * 1e6 / hz / n, r * 1e6 / hz / n, rec }'
}

RESULTS=""
for round in $(seq 1 "$ROUNDS"); do
  for config in $CONFIGS; do
    case "$config" in
      sticky) RESULTS+=$(run_one sticky "processes=2,mode=http,sticky=JSESSIONID")$'\n' ;;
      embedded) RESULTS+=$(run_one embedded "processes=2,mode=http,strategy=round-robin,sessions=shared")$'\n' ;;
      shared-sticky) RESULTS+=$(run_one shared-sticky "processes=2,mode=http,sticky=JSESSIONID,sessions=shared")$'\n' ;;
      redis)
        if [ -z "$REDIS_PID" ] && ! start_redis; then
          echo "######## sessions: redis-server is not installed: store=redis NOT MEASURED ########" >&2
          continue
        fi
        RESULTS+=$(run_one redis \
          "processes=2,mode=http,strategy=round-robin,sessions=shared,store=redis://127.0.0.1:$REDIS_PORT")$'\n' ;;
      *) echo "sessions: unknown configuration $config" >&2; exit 2 ;;
    esac
  done
done

TABLE=$(printf '%s' "$RESULTS" | awk 'NF { printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }')
HEADER="| configuration | requests/s | workers' CPU µs/req | parent's CPU µs/req | redis-server CPU µs/req | record bytes |
|---|---:|---:|---:|---:|---:|"
echo "$HEADER"
echo "$TABLE"
if [ "$WRITE" = 1 ]; then
  {
    echo
    echo "## Shared sessions: the cost of sessions=shared, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "\`bench/sessions.sh ${ORIG_ARGS[*]}\` at $(cd "$ROOT" && git rev-parse --short HEAD);" \
      "kernel $(uname -r), $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -1)," \
      "$(wrk --version 2>&1 | head -1 | awk '{print $1, $2}'), redis-server" \
      "$(redis-server --version 2>/dev/null | awk '{print $3}' | sed 's/v=//')." \
      "wrk -t$THREADS -c$CONNS -d$DURATION after a $WARMUP warm-up, $SESSIONS sessions per wrk thread," \
      "the embedded Tomcat sample's GET /session-count on 2 workers (http mode), $ROUNDS round(s)."
    echo
    echo "$HEADER"
    echo "$TABLE"
  } >> "$ROOT/bench/RESULTS.md"
  log "written to bench/RESULTS.md"
fi
