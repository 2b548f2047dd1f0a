#!/usr/bin/env bash
# memory.sh — the resident memory (VmRSS) of jcluster's balancer JVM at rest, under 50 and under 2,000 keep-alive
# connections: the standalone balancer (`java -jar jcluster.jar balance`, as README shows it) or the agent's parent
# (a 2-worker cluster of the demo app), each in tcp and http mode, in front of two tiny nginx backends.
#
# For each target: start it, wait 3 s, read RSS ("idle"); wrk -c50 for --duration s, sampling RSS every 0.25 s
# (peak = "c50"); wrk -c2000 the same way ("c2000"); 5 s later RSS again ("after"). Threads are counted at the
# c2000 peak. RSS is robust to CPU noise on a shared machine, so no quiet wait: this script measures memory only
# (rps is printed for sanity, not for comparison). wrk runs are bounded (--duration, default 5 s).
#
# Usage: bench/memory.sh [--java PATH] [--jvm-opts "..."] [--modes "tcp http"] [--what standalone|parent|all]
#                        [--parent-flags "A|B"] [--duration S] [--jar PATH] [--label TEXT] [--out FILE]
#   --jvm-opts   the JVM flags of the balancer's (parent's) command line; default none: the JVM's defaults
#   --what       standalone (default): java [opts] -jar jcluster.jar balance ...; parent: java [opts]
#                -javaagent:jcluster.jar=processes=2,mode=M -cp samples.jar samples.hello.HelloServer PORT;
#                all: the standalone balancer with no flags, then the parent once per --parent-flags set (the
#                app's flags; default "-Xmx4g|-Xmx4g -XX:+UseParallelGC": G1 and Parallel), one table
#   --jar        the jcluster.jar to measure (default agent/target/jcluster.jar, copied first)
# Everything it starts is stopped by pid on exit.
set -euo pipefail
JAVA=java JVM_OPTS="" MODES="tcp http" WHAT=standalone DURATION=5 JAR="" LABEL="" OUT=""
PARENT_FLAGS="-Xmx4g|-Xmx4g -XX:+UseParallelGC"
while [ $# -gt 0 ]; do
  case "$1" in
    --java) JAVA=${2:?}; shift 2 ;;
    --jvm-opts) JVM_OPTS=${2?}; shift 2 ;;
    --modes) MODES=${2:?}; shift 2 ;;
    --what) WHAT=${2:?}; shift 2 ;;
    --parent-flags) PARENT_FLAGS=${2:?}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --jar) JAR=${2:?}; shift 2 ;;
    --label) LABEL=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "memory: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$WHAT" in standalone|parent|all) ;; *) echo "memory: --what standalone|parent|all" >&2; exit 2 ;; esac
[ "$DURATION" -le 30 ] || { echo "memory: --duration at most 30 (s)" >&2; exit 2; }
cd "$(dirname "$0")/.."
WORK=$(mktemp -d /tmp/jcluster-memory.XXXXXX)
cp "${JAR:-agent/target/jcluster.jar}" "$WORK/jcluster.jar"
if [ "$WHAT" != standalone ]; then
  SAMPLES=$(ls integration-tests/target/samples*.jar 2>/dev/null | head -1)
  [ -n "$SAMPLES" ] || { echo "memory: no integration-tests/target/samples*.jar: mvn -B -q -DskipTests package" >&2; exit 1; }
  cp "$SAMPLES" "$WORK/samples.jar"
fi
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    for c in $(pgrep -P "$p" 2>/dev/null); do kill -9 "$c" 2>/dev/null || true; done
    kill -9 "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM
log() { echo "[$(date +%H:%M:%S)] memory: $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# the RSS of a process, KiB; standalone: plus its java children (a launcher that waits for a child JVM would
# cost its own RSS too; jcluster's restart replaces the process image, so there is none). The agent's children
# are its workers: not counted.
rss_kib() {
  local total=0 p
  for p in "$1" $([ "$TARGET" = standalone ] && pgrep -P "$1" -x java 2>/dev/null); do
    total=$(( total + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
threads_of() { ls "/proc/$1/task" 2>/dev/null | wc -l; }
await_line() { # FILE REGEX SECONDS
  local i
  for i in $(seq 1 $(( $3 * 10 ))); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "memory: timed out waiting for /$2/ in $1:" >&2; tail -20 "$1" >&2; return 1
}
# peak RSS while wrk runs: peak_under CONNS PORT PID -> "peakKiB rps threads"
peak_under() {
  local conns=$1 port=$2 pid=$3 peak=0 thr=0 r
  wrk -t2 -c"$conns" -d"${DURATION}s" --timeout 5s "http://127.0.0.1:$port/" > "$WORK/wrk-$conns.txt" 2>&1 &
  local w=$!
  while kill -0 "$w" 2>/dev/null; do
    r=$(rss_kib "$pid"); [ "$r" -gt "$peak" ] && { peak=$r; thr=$(threads_of "$pid"); }
    sleep 0.25
  done
  wait "$w" || true
  echo "$peak $(awk '/Requests\/sec/ {printf "%d", $2}' "$WORK/wrk-$conns.txt") $thr $(grep -o 'timeout [0-9]*' "$WORK/wrk-$conns.txt" | tr -dc 0-9)"
}

# two nginx backends, as in ../shared/bench/anchors.sh
BE=()
for i in 1 2; do
  port=$(free_port); BE+=("$port")
  mkdir -p "$WORK/tmp"
  cat > "$WORK/be$i.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 20000;
pid $WORK/be$i.pid;
error_log $WORK/be$i.err warn;
events { worker_connections 10000; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp/b$i; proxy_temp_path $WORK/tmp/p$i;
  fastcgi_temp_path $WORK/tmp/f$i; uwsgi_temp_path $WORK/tmp/u$i; scgi_temp_path $WORK/tmp/s$i;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  default_type text/plain;
  server { listen 127.0.0.1:$port backlog=4096; location / { return 200 "hello"; } }
}
EOF
  nginx -p "$WORK" -e "$WORK/be$i.err" -c "$WORK/be$i.conf" -g 'daemon off;' > "$WORK/be$i.log" 2>&1 &
  PIDS+=("$!")
done
sleep 0.5

ROWS=() RUN=0
# measure TARGET ("standalone" or "parent") in MODE with the JVM flags OPTS; appends a row labelled ROW_LABEL
measure() {
  local JVM_OPTS=$1 mode=$2 row_label=$3 port pid native idle thr0 p50 rps50 to50 p2k rps2k thr2k to2k after transport
  RUN=$((RUN + 1)); local logf="$WORK/run$RUN-$TARGET-$mode.log"
  port=$(free_port)
  # shellcheck disable=SC2086
  if [ "$TARGET" = standalone ]; then
    "$JAVA" $JVM_OPTS -jar "$WORK/jcluster.jar" balance --listen "127.0.0.1:$port" --backend "127.0.0.1:${BE[0]}" \
      --backend "127.0.0.1:${BE[1]}" --mode "$mode" --strategy round-robin --max-connections 10000 \
      > "$logf" 2>&1 &
    pid=$!; PIDS+=("$pid")
    await_line "$logf" "balancing .*:$port" 60
  else
    native=""; "$JAVA" -version 2>&1 | grep -q 'version "1[0-9]\.' || native="--enable-native-access=ALL-UNNAMED"
    "$JAVA" $native $JVM_OPTS -javaagent:"$WORK/jcluster.jar=processes=2,mode=$mode,strategy=round-robin,max-connections=10000" \
      -cp "$WORK/samples.jar" samples.hello.HelloServer "$port" > "$logf" 2>&1 &
    pid=$!; PIDS+=("$pid")
    await_line "$logf" "listening on .*:$port" 90
  fi
  sleep 3
  idle=$(rss_kib "$pid"); thr0=$(threads_of "$pid")
  read -r p50 rps50 _ to50 <<< "$(peak_under 50 "$port" "$pid")"
  read -r p2k rps2k thr2k to2k <<< "$(peak_under 2000 "$port" "$pid")"
  if [ -n "${NMT:-}" ]; then   # NMT=1 and --jvm-opts -XX:NativeMemoryTracking=summary: where the RSS goes
    "$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd" "$pid" VM.native_memory summary > "$logf.nmt" 2>&1 || true
    log "native memory summary: $logf.nmt"
  fi
  sleep 5
  after=$(rss_kib "$pid")
  transport=$(grep -oE '\((round-robin|least)[^)]*\)' "$logf" | head -1)
  kill -TERM "$pid"; wait "$pid" || true
  ROWS+=("| $row_label | $mode | $((idle / 1024)) | $((p50 / 1024)) | $((p2k / 1024)) | $((after / 1024)) | $thr0 → $thr2k | $rps50 / $rps2k | ${to50:-0} / ${to2k:-0} |")
  log "$row_label $mode $transport: RSS idle $((idle / 1024)) MiB, c50 peak $((p50 / 1024)), c2000 peak $((p2k / 1024)), after $((after / 1024))"
}
JDK_NAME=$("$JAVA" -version 2>&1 | head -1 | grep -oE '"[^"]+"' | tr -d '"')
if [ "$WHAT" = all ]; then
  TARGET=standalone
  for mode in ${MODES//,/ }; do
    measure "$JVM_OPTS" "$mode" "${LABEL:+$LABEL, }standalone, $([ -n "$JVM_OPTS" ] && echo "\`$JVM_OPTS\`" || echo "no JVM flags") (JDK $JDK_NAME)"
  done
  TARGET=parent
  IFS='|' read -r -a SETS <<< "$PARENT_FLAGS"
  for flags in "${SETS[@]}"; do
    for mode in ${MODES//,/ }; do measure "$flags" "$mode" "${LABEL:+$LABEL, }parent, app's flags \`$flags\` (JDK $JDK_NAME)"; done
  done
else
  TARGET=$WHAT
  for mode in ${MODES//,/ }; do measure "$JVM_OPTS" "$mode" "${LABEL:-$WHAT}"; done
fi

{
  echo "| target | mode | RSS idle, MiB | peak RSS c50, MiB | peak RSS c2000, MiB | RSS 5 s after, MiB | threads idle → c2000 | rps c50 / c2000 | wrk timeouts |"
  echo "|---|---|---:|---:|---:|---:|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "- command: \`bench/memory.sh --java $JAVA --what $WHAT$([ -n "$JVM_OPTS" ] && echo " --jvm-opts \"$JVM_OPTS\"")$([ "$WHAT" = all ] && echo " --parent-flags \"$PARENT_FLAGS\"") --modes \"$MODES\" --duration $DURATION\`"
  echo "- JDK: $("$JAVA" -version 2>&1 | head -1); kernel $(uname -r); nproc=$(nproc); load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- git: $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- agent bootstrap 2>/dev/null || echo ' (dirty tree)'); logs: $WORK"
} | tee -a "${OUT:-/dev/null}"
