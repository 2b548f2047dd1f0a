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
#                        [--parent-flags "A|B"] [--duration S] [--jar PATH] [--label TEXT] [--out FILE] [--nmt]
#                        [--churn S]
#   --jvm-opts   the JVM flags of the standalone balancer's command line; default none: the JVM's defaults
#   --what       standalone (default): java [opts] -jar jcluster.jar balance ...; parent: java [app's flags]
#                -javaagent:jcluster.jar=processes=2,mode=M -cp samples.jar samples.hello.HelloServer PORT, once
#                per --parent-flags set;
#                all: the standalone balancer with no flags, then the parent once per --parent-flags set (the
#                app's flags; default "-Xmx4g|-Xmx4g -XX:+UseParallelGC": G1 and Parallel), one table
#   --jar        the jcluster.jar to measure (default agent/target/jcluster.jar, copied first)
#   --nmt        where the RSS goes: adds -XX:NativeMemoryTracking=summary to the JVM's flags and, at rest and
#                1.5 s before each wrk run ends, logs NMT's committed MiB per category (heap, metaspace + class
#                space, code, compiler + arenas, GC, other, threads, symbols) and the resident MiB of the
#                JVM's own files (libjvm text, CDS archive); full summaries beside the run's log. NMT's own
#                bookkeeping adds ~1 MiB to the RSS measured
#   --churn      then S s (at most 60) of 2,000 connections that each carry one request (wrk -H 'Connection: close':
#                every connection is opened, used once and closed): its peak RSS and the RSS 5 s after, two more
#                columns
# Everything it starts is stopped by pid on exit.
set -euo pipefail
JAVA=java JVM_OPTS="" MODES="tcp http" WHAT=standalone DURATION=5 JAR="" LABEL="" OUT="" NMT=${NMT:-} CHURN=0
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
    --nmt) NMT=1; shift ;;
    --churn) CHURN=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "memory: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$WHAT" in standalone|parent|all) ;; *) echo "memory: --what standalone|parent|all" >&2; exit 2 ;; esac
[ "$DURATION" -le 30 ] || { echo "memory: --duration at most 30 (s)" >&2; exit 2; }
[ "$CHURN" -le 60 ] || { echo "memory: --churn at most 60 (s)" >&2; exit 2; }
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
# below the ephemeral range: a port the kernel handed out and took back could be handed to a worker's private
# listener (bound to port 0) before the parent binds it, and that run would fail with "Address already in use"
port_busy() { [ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ]; }
free_port() {
  local lo p i
  lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for ((i = 0; i < 200; i++)); do
    p=$((15000 + RANDOM % (lo - 15000)))
    port_busy "$p" || { echo "$p"; return 0; }
  done
  echo "memory.sh: no free port below $lo" >&2; exit 1
}
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
# --nmt: NMT summary and smaps of PID into FILE.nmt/FILE.smaps, and one line of where its memory goes
nmt_snapshot() { # PID FILE PHASE
  local jcmd
  jcmd="$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd"
  "$jcmd" "$1" VM.native_memory summary > "$2.nmt" 2>&1 || true
  cat "/proc/$1/smaps" > "$2.smaps" 2>/dev/null || true
  log "$3 (NMT committed MiB) $(awk '
    /^-/ { name=$0; sub(/^- +/, "", name); sub(/ \(.*/, "", name)
           if (match($0, /committed=[0-9]+KB/)) c[name] = substr($0, RSTART + 10, RLENGTH - 12) / 1024 }
    END { printf "heap %.1f, metaspace+class %.1f, code %.1f, compiler+arenas %.1f, GC %.1f, other %.1f, threads %.1f, symbols %.1f",
          c["Java Heap"], c["Metaspace"] + c["Class"], c["Code"], c["Compiler"] + c["Arena Chunk"], c["GC"], c["Other"],
          c["Thread"], c["Symbol"] }' "$2.nmt"); resident files MiB: $(awk '
    /^[0-9a-f]+-[0-9a-f]+ / { f = (NF > 5 ? $6 : "") }
    /^Rss:/ { if (f ~ /libjvm/) j += $2; else if (f ~ /\.jsa$/) a += $2 }
    END { printf "libjvm %.1f, CDS archive %.1f", j / 1024, a / 1024 }' "$2.smaps")"
}
# peak RSS while wrk runs: peak_under CONNS PORT PID [SECONDS WRK-ARGS...] -> "peakKiB rps threads timeouts"
peak_under() {
  local conns=$1 port=$2 pid=$3 seconds=${4:-$DURATION} peak=0 thr=0 r snapped="" start=$SECONDS
  shift 4 2>/dev/null || shift $#
  wrk -t2 -c"$conns" -d"${seconds}s" --timeout 5s "$@" "http://127.0.0.1:$port/" > "$WORK/wrk-$conns.txt" 2>&1 &
  local w=$!
  while kill -0 "$w" 2>/dev/null; do
    r=$(rss_kib "$pid"); [ "$r" -gt "$peak" ] && { peak=$r; thr=$(threads_of "$pid"); }
    if [ -n "$NMT" ] && [ -z "$snapped" ] && [ $(( (SECONDS - start) * 10 )) -ge $(( seconds * 10 - 15 )) ]; then
      nmt_snapshot "$pid" "$WORK/run$RUN-c$conns" "c$conns"; snapped=1
    fi
    sleep 0.25
  done
  wait "$w" || true
  echo "$peak $(awk '/Requests\/sec/ {printf "%d", $2}' "$WORK/wrk-$conns.txt") $thr $(grep -o 'timeout [0-9]*' "$WORK/wrk-$conns.txt" | tr -dc 0-9)"
}

# two nginx backends, as in ../shared/bench/anchors.sh
BE=("$(free_port)" "$(free_port)")
mkdir -p "$WORK/tmp"
. "$(dirname "$0")/lib/nginx-backends.sh"
start_nginx_backends "$WORK" "${BE[0]}" "${BE[1]}"
sleep 0.5

ROWS=() RUN=0
# measure TARGET ("standalone" or "parent") in MODE with the JVM flags OPTS; appends a row labelled ROW_LABEL
measure() {
  local JVM_OPTS=$1 mode=$2 row_label=$3 port pid native idle thr0 p50 rps50 to50 p2k rps2k thr2k to2k after transport
  RUN=$((RUN + 1)); local logf="$WORK/run$RUN-$TARGET-$mode.log"
  [ -z "$NMT" ] || JVM_OPTS="$JVM_OPTS -XX:NativeMemoryTracking=summary"
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
    # the demo app's server (the JDK's HttpServer) keeps at most 200 idle connections and closes the rest, which
    # would turn the 2,000-connection keep-alive run into churn; its workers get the property, the parent ignores it
    "$JAVA" $native $JVM_OPTS -Dsun.net.httpserver.maxIdleConnections=10000 \
      -javaagent:"$WORK/jcluster.jar=processes=2,mode=$mode,strategy=round-robin,max-connections=10000" \
      -cp "$WORK/samples.jar" samples.hello.HelloServer "$port" > "$logf" 2>&1 &
    pid=$!; PIDS+=("$pid")
    await_line "$logf" "listening on .*:$port" 90
  fi
  sleep 3
  idle=$(rss_kib "$pid"); thr0=$(threads_of "$pid")
  [ -z "$NMT" ] || nmt_snapshot "$pid" "$WORK/run$RUN-idle" "$row_label $mode idle"
  read -r p50 rps50 _ to50 <<< "$(peak_under 50 "$port" "$pid")"
  read -r p2k rps2k thr2k to2k <<< "$(peak_under 2000 "$port" "$pid")"
  sleep 5
  after=$(rss_kib "$pid")
  local churn_cols=""
  if [ "$CHURN" -gt 0 ]; then
    local pch rpsch _t toch
    read -r pch rpsch _t toch <<< "$(peak_under 2000 "$port" "$pid" "$CHURN" -H 'Connection: close')"
    sleep 5
    churn_cols=" $((pch / 1024)) | $(( $(rss_kib "$pid") / 1024 )) | $rpsch, ${toch:-0} timeouts |"
  fi
  transport=$(grep -oE '\((round-robin|least)[^)]*\)' "$logf" | head -1)
  kill -TERM "$pid"; wait "$pid" || true
  ROWS+=("| $row_label | $mode | $((idle / 1024)) | $((p50 / 1024)) | $((p2k / 1024)) | $((after / 1024)) | $thr0 → $thr2k | $rps50 / $rps2k | ${to50:-0} / ${to2k:-0} |$churn_cols")
  log "$row_label $mode $transport: RSS idle $((idle / 1024)) MiB, c50 peak $((p50 / 1024)), c2000 peak $((p2k / 1024)), after $((after / 1024))"
}
JDK_NAME=$("$JAVA" -version 2>&1 | head -1 | grep -oE '"[^"]+"' | tr -d '"')
if [ "$WHAT" != standalone ]; then
  if [ "$WHAT" = all ]; then
    TARGET=standalone
    for mode in ${MODES//,/ }; do
      measure "$JVM_OPTS" "$mode" "${LABEL:+$LABEL, }standalone, $([ -n "$JVM_OPTS" ] && echo "\`$JVM_OPTS\`" || echo "no JVM flags") (JDK $JDK_NAME)"
    done
  fi
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
  echo "| target | mode | RSS idle, MiB | peak RSS c50, MiB | peak RSS c2000, MiB | RSS 5 s after, MiB | threads idle → c2000 | rps c50 / c2000 | wrk timeouts |$([ "$CHURN" -gt 0 ] && echo " peak RSS, ${CHURN} s churn | 5 s after | churn rps |")"
  echo "|---|---|---:|---:|---:|---:|---|---|---|$([ "$CHURN" -gt 0 ] && echo "---:|---:|---|")"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "- command: \`bench/memory.sh --java $JAVA --what $WHAT$([ -n "$JVM_OPTS" ] && echo " --jvm-opts \"$JVM_OPTS\"")$([ "$WHAT" != standalone ] && echo " --parent-flags \"$PARENT_FLAGS\"") --modes \"$MODES\" --duration $DURATION$([ -n "$NMT" ] && echo " --nmt")$([ "$CHURN" -gt 0 ] && echo " --churn $CHURN")\`"
  echo "- JDK: $("$JAVA" -version 2>&1 | head -1); kernel $(uname -r); nproc=$(nproc); load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- git: $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- agent bootstrap 2>/dev/null || echo ' (dirty tree)'); logs: $WORK"
} | tee -a "${OUT:-/dev/null}"
