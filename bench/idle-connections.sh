#!/usr/bin/env bash
# idle-connections.sh — what idle client connections cost the balancer parent: a 2-worker cluster of a server that
# holds every connection open (bench/IdleConnections.java), N silent client connections opened through the
# balancer, and the parent JVM's resident memory (VmRSS), live heap after a full GC (jcmd GC.run + GC.heap_info),
# threads and open files, before and with the N connections open. The client checks at the end that the
# connections are still open.
#
# In tcp mode every client connection costs the parent two sockets (client side + worker side), and this machine's
# hard open-files limit is 20,000 per process, so tcp mode is measured with 9,900 connections by default; http
# mode holds only the client's socket until a request arrives, so it takes 10,000.
#
# Usage: bench/idle-connections.sh [--java PATH] [--modes "tcp http"] [--conns N] [--hold S] [--jvm-opts "..."] [--out FILE]
#   --conns N     connections per mode (default 9900 for tcp, 10000 for http)
#   --hold S      how long the client keeps them open (default 40; the measurement is taken after 10 s)
#   --jvm-opts    JVM options of the cluster's command line (the parent's too; default none: the JVM's defaults)
# Everything started is stopped by pid on exit.
set -euo pipefail
JAVA=java MODES="tcp http" CONNS="" HOLD=40 JVM_OPTS="" OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --java) JAVA=${2:?}; shift 2 ;;
    --modes) MODES=${2:?}; shift 2 ;;
    --conns) CONNS=${2:?}; shift 2 ;;
    --hold) HOLD=${2:?}; shift 2 ;;
    --jvm-opts) JVM_OPTS=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "idle-connections: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$HOLD" -ge 15 ] || { echo "idle-connections: --hold must be at least 15 (s)" >&2; exit 2; }
cd "$(dirname "$0")/.."
[ -f agent/target/jcluster.jar ] || mvn -B -q -DskipTests package
WORK=$(mktemp -d /tmp/jcluster-idle.XXXXXX)
cp agent/target/jcluster.jar "$WORK/jcluster.jar"
JAVAC="$(dirname "$(readlink -f "$(command -v "$JAVA")")")/javac"
"$JAVAC" -d "$WORK/classes" bench/IdleConnections.java
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    for c in $(pgrep -P "$p" 2>/dev/null); do kill -9 "$c" 2>/dev/null || true; done
    kill -9 "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
NATIVE=""; "$JAVA" -version 2>&1 | grep -q 'version "1[0-9]\.' || NATIVE="--enable-native-access=ALL-UNNAMED"
JCMD="$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
threads() { ls "/proc/$1/task" | wc -l; }
fds() { ls "/proc/$1/fd" | wc -l; }
# live heap after a full GC, KiB
heap_kib() {
  "$JCMD" "$1" GC.run >/dev/null
  "$JCMD" "$1" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc '0-9'
}
await_line() { # FILE REGEX SECONDS
  local i
  for i in $(seq 1 $(( $3 * 10 ))); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "idle-connections: timed out waiting for /$2/ in $1:" >&2; tail -20 "$1" >&2; return 1
}

ROWS=()
for mode in ${MODES//,/ }; do
  n=${CONNS:-$([ "$mode" = tcp ] && echo 9900 || echo 10000)}
  port=$(free_port)
  log "$mode: cluster on port $port, $n idle connections"
  # shellcheck disable=SC2086
  "$JAVA" $NATIVE $JVM_OPTS -javaagent:"$WORK/jcluster.jar=processes=2,mode=$mode,strategy=round-robin" \
    -cp "$WORK/classes" IdleConnections hold "$port" > "$WORK/cluster-$mode.log" 2>&1 &
  parent=$!; PIDS+=("$parent")
  await_line "$WORK/cluster-$mode.log" "listening on .*:$port" 60
  sleep 3
  rss0=$(rss_kib "$parent"); heap0=$(heap_kib "$parent"); thr0=$(threads "$parent"); fd0=$(fds "$parent")
  "$JAVA" -cp "$WORK/classes" IdleConnections open "$port" "$n" "$HOLD" > "$WORK/client-$mode.log" 2>&1 &
  client=$!; PIDS+=("$client")
  await_line "$WORK/client-$mode.log" "^open $n" 120
  sleep 10
  rss1=$(rss_kib "$parent"); heap1=$(heap_kib "$parent"); thr1=$(threads "$parent"); fd1=$(fds "$parent")
  wait "$client" || true
  alive=$(grep -o 'still open [0-9]*' "$WORK/client-$mode.log" | tr -dc '0-9')
  kill -TERM "$parent"; wait "$parent" || true
  transport=$(grep -o 'workers ([^)]*)' "$WORK/cluster-$mode.log" | head -1)
  per_rss=$(awk -v a="$rss0" -v b="$rss1" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')
  per_heap=$(awk -v a="$heap0" -v b="$heap1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')
  ROWS+=("| $mode | $n | ${alive:-?} | $((rss0 / 1024)) | $((rss1 / 1024)) | $per_rss | $((heap0 / 1024)) | $((heap1 / 1024)) | $per_heap | $thr0 → $thr1 | $fd0 → $fd1 |")
  log "$mode: $transport; RSS $rss0 -> $rss1 KiB, live heap $heap0 -> $heap1 KiB, still open ${alive:-?}"
done

{
  echo "| mode | idle conns | still open at the end | parent RSS before, MiB | parent RSS with them, MiB | RSS per conn, KiB | live heap before, MiB | live heap with them, MiB | heap per conn, KiB | parent threads | parent open files |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "- command: \`bench/idle-connections.sh$([ -n "$JVM_OPTS" ] && echo " --jvm-opts \"$JVM_OPTS\"") --modes \"$MODES\"\`"
  echo "- JDK: $("$JAVA" -version 2>&1 | head -1); machine: nproc=$(nproc), kernel=$(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- git: $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo ' (dirty tree)'); logs: $WORK"
} | tee "${OUT:-/dev/null}"
