#!/usr/bin/env bash
# cds-startup.sh — time to first response of a 4-worker Spring Boot cluster (the executable jar of
# integration-tests/apps/spring-boot) without and with one shared AppCDS archive that every JVM of the
# cluster maps.
#
# The archive must be dumped by a JVM with the same -javaagent (the agent jar is appended to the boot class
# path, which CDS checks; -javaagent also adds the java.instrument module) and holding the app's classes, i.e.
# by a WORKER, with -XX:+AllowArchivingWithJavaAgent (diagnostic; the JVMs that map it need it too). So the training run is a 1-worker cluster with -XX:ArchiveClassesAtExit=A on its command line:
# the worker is stopped with SIGTERM (it dumps A as it exits), then the parent is SIGKILLed before it would
# dump its own archive over A. Then clusters run alternately without and with -XX:SharedArchiveFile=A.
# Measured per run: launch -> first 200 from the balancer, and launch -> all 4 worker pids answered.
#
# Usage: bench/cds-startup.sh [--java PATH] [--rounds N] [--processes N] [--out FILE]
# Everything started is stopped by pid (SIGTERM, then SIGKILL of the parent and its children) on exit.
set -euo pipefail
JAVA=java ROUNDS=3 PROCESSES=4 OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --java) JAVA=${2:?}; shift 2 ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --processes) PROCESSES=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "cds-startup: unknown option $1" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
[ -f agent/target/jcluster.jar ] && [ -f integration-tests/apps/spring-boot/target/app.jar ] \
  || mvn -B -q -DskipTests package
WORK=$(mktemp -d /tmp/jcluster-cds.XXXXXX)
cp agent/target/jcluster.jar "$WORK/jcluster.jar"; cp integration-tests/apps/spring-boot/target/app.jar "$WORK/app.jar"
ARCHIVE="$WORK/app.jsa"
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
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

# launch PORT PROCESSES EXTRA... -> sets LAUNCHED (parent pid)
launch() {
  local port=$1 n=$2; shift 2
  "$JAVA" $NATIVE "$@" -javaagent:"$WORK/jcluster.jar=processes=$n,strategy=round-robin,restart-delay=1m" \
    -jar "$WORK/app.jar" --server.port="$port" > "$WORK/run-$port.log" 2>&1 &
  LAUNCHED=$!; PIDS+=("$LAUNCHED")
}
stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

log "training: 1-worker cluster with -XX:ArchiveClassesAtExit"
# (dumping with a -javaagent needs the diagnostic AllowArchivingWithJavaAgent; the JVMs that map it need it too)
port=$(free_port); launch "$port" 1 -XX:ArchiveClassesAtExit="$ARCHIVE" -XX:+UnlockDiagnosticVMOptions \
  -XX:+AllowArchivingWithJavaAgent; parent=$LAUNCHED
until curl -sf -m 2 "http://127.0.0.1:$port/" >/dev/null; do
  kill -0 "$parent" 2>/dev/null || { echo "cds-startup: training cluster exited: $(tail -3 "$WORK/run-$port.log")" >&2; exit 1; }
  sleep 0.2
done
worker=$(grep -oP 'worker 0 started \(pid \K\d+' "$WORK/run-$port.log")
kill -TERM "$worker"; while [ -e "/proc/$worker" ] && [ "$(awk '{print $3}' /proc/$worker/stat)" != Z ]; do sleep 0.1; done
kill -9 "$parent"; wait "$parent" 2>/dev/null || true
[ -s "$ARCHIVE" ] || { echo "cds-startup: the worker wrote no archive (see $WORK/run-$port.log)" >&2; exit 1; }
log "archive: $(du -h "$ARCHIVE" | cut -f1)"

# run MODE -> sets RESULT="first_ms all_ms" (runs in this shell, so cleanup sees every pid it started)
run() {
  local mode=$1 port start first=0 all=0; port=$(free_port)
  local extra=(); [ "$mode" = cds ] && extra=(-XX:SharedArchiveFile="$ARCHIVE" -XX:+UnlockDiagnosticVMOptions -XX:+AllowArchivingWithJavaAgent)
  start=$(now_ms); launch "$port" "$PROCESSES" "${extra[@]}"; local parent=$LAUNCHED
  declare -A seen=()
  while [ ${#seen[@]} -lt "$PROCESSES" ]; do
    pid=$(curl -s -m 5 -D - -o /dev/null -H 'Connection: close' "http://127.0.0.1:$port/" 2>/dev/null | tr -d '\r' | awk -F': ' 'tolower($1)=="x-pid"{print $2}') || true
    if [ -n "$pid" ]; then [ "$first" = 0 ] && first=$(( $(now_ms) - start )); seen[$pid]=1; else sleep 0.05; fi
    [ $(( $(now_ms) - start )) -lt 180000 ] || { echo "cds-startup: no answer in 180 s" >&2; exit 1; }
  done
  all=$(( $(now_ms) - start ))
  if [ "$mode" = cds ] && grep -qE 'Loading dynamic archive failed|Unable to use shared archive' "$WORK/run-$port.log"; then
    echo "cds-startup: the archive was rejected: $(grep -m1 -B3 -E 'Loading dynamic archive failed|Unable to use' "$WORK/run-$port.log")" >&2; exit 1
  fi
  stop "$parent"; RESULT="$first $all"
}

declare -a results=()
for r in $(seq 1 "$ROUNDS"); do
  for mode in off cds; do
    run "$mode"; read -r first all <<< "$RESULT"; log "round $r $mode: first response ${first} ms, all $PROCESSES workers ${all} ms"
    results+=("$mode $first $all")
  done
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
report() {
  echo "| AppCDS | first response ms (median) | all $PROCESSES workers answering ms (median) | runs |"
  echo "|---|---:|---:|---:|"
  for mode in off cds; do
    f=$(printf '%s\n' "${results[@]}" | awk -v m=$mode '$1==m{print $2}' | median)
    a=$(printf '%s\n' "${results[@]}" | awk -v m=$mode '$1==m{print $3}' | median)
    echo "| $mode | $f | $a | $ROUNDS |"
  done
  echo
  echo "- JDK: $("$JAVA" -version 2>&1 | head -1); machine: nproc=$(nproc), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- archive: $(du -h "$ARCHIVE" | cut -f1) (dumped by the worker of a 1-worker training run); all runs: ${results[*]}"
  echo "- command: \`bench/cds-startup.sh --java $JAVA --rounds $ROUNDS --processes $PROCESSES\`, $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD)"
}
report | tee ${OUT:+"$OUT"}
[ -n "${KEEP:-}" ] || rm -rf "$WORK"
