#!/usr/bin/env bash
# cluster-vs-direct.sh — the demo HelloServer as one plain JVM ("direct") vs the same app under the
# jcluster agent (a balancer parent JVM + N worker JVMs) in tcp mode ("cluster-tcp": the parent relays each
# connection's bytes to one worker) and in http mode ("cluster-http": the parent is an HTTP/1.1 reverse proxy
# that balances each request over pooled keep-alive connections to the workers), measured with wrk on loopback.
# Optionally also "cluster-kernel" (--modes "tcp http kernel"): agent option balancer=kernel, no proxy at all,
# every worker binds the port itself with SO_REUSEPORT and the kernel spreads the connections (Linux).
#
# Builds the jars if missing, installs wrk/curl with apt-get if missing, starts all targets at once, each on
# its own free port (traffic goes to 127.0.0.1 only), warms each up (JIT), then measures them one after the
# other in each of --rounds rounds (direct, cluster-tcp, cluster-http; each round starts one target later, so
# no target always runs first) and prints a markdown table of medians, one row per target:
# rps, latency p50/p99, errors, the balancer parent's CPU time per request and the app's CPU time per
# request (cluster: all workers together = the children of the parent pid; direct: the single server).
# CPU time = on-CPU ns summed over all threads (/proc/PID/task/*/schedstat, first field), delta over
# the measured run, divided by the requests wrk completed.
#
# Examples:
#   bench/cluster-vs-direct.sh                                   # 2 workers, 3 rounds of 10 s, JDK 'java'
#   bench/cluster-vs-direct.sh --modes tcp                       # direct vs tcp mode only
#   bench/cluster-vs-direct.sh --java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --out /tmp/c25.md
#   PROCESSES=4 CONNS=200 bench/cluster-vs-direct.sh --strategy round-robin
#
# Usage: bench/cluster-vs-direct.sh [options]
#   --modes "M..."    the cluster modes to measure next to direct, space or comma separated, each tcp,
#                     http or kernel; one cluster per mode (agent option mode=M; kernel: balancer=kernel),
#                     each on its own port (default "tcp http")
#   --processes N     worker JVMs of each cluster (default $PROCESSES or 2)
#   --strategy S      round-robin | least-connections | random | power-of-two (default least-connections)
#   --java PATH       the java launcher for all targets (default java); on JDK 24+ the cluster JVMs
#                     also get --enable-native-access=ALL-UNNAMED so the balancer can use epoll
#   --jvm-opts "..."  extra JVM options for all targets (default none)
#   --conns N         wrk connections (default $CONNS or 50)
#   --duration S      seconds per measured run (default $DURATION or 10)
#   --rounds N        rounds of one run per target (default $ROUNDS or 3)
#   --warmup S        seconds of wrk load on each target right after it started (default 10)
#   --rewarm S        seconds of wrk load right before each measured run (default 2; 0 = none)
#   --quiet-wait S    before each run wait up to S s until the machine is quiet (other processes use
#                     <= --max-other % of it); 0 = don't wait (default 60)
#   --max-other PCT   a run during which OTHER processes (not wrk, not the targets) used more than PCT %
#                     of the machine is measured again, once (default 15)
#   --out FILE        also write the report (table + context) to FILE
#   --close           every request on a new connection (wrk -H "Connection: close"): what opening a connection
#                     costs, where the default measures keep-alive connections
#   --baseline-jar J  also run each mode's cluster with another jcluster.jar (e.g. one built from an earlier
#                     commit), as target "cluster-MODE-base", measured in the same rounds: a before/after in one run
#   --no-install      never call apt-get
#   -h, --help        this text
#
# Note: the JDK's com.sun.net.httpserver does not set TCP_NODELAY unless -Dsun.net.httpserver.nodelay=true;
# without it a response can wait for the client's delayed ACK (~40 ms), and with keep-alive and -c 50
# every target is then capped near 50 conns / 44 ms ~ 1100 rps. The demo HelloServer sets that property
# itself unless it is given on the command line (--jvm-opts -Dsun.net.httpserver.nodelay=false shows the stall).
#
# Everything it starts (the targets, wrk) is stopped by PID on exit, Ctrl-C or SIGTERM: each cluster
# parent gets SIGTERM and up to 10 s, then it and every worker pid seen are SIGKILLed (and the report says
# if a parent did not exit 0 or a worker outlived it); the direct server gets SIGTERM, then SIGKILL after
# 5 s. All run from copies of the jars in a directory under /tmp (safe against a concurrent rebuild; the
# copies are deleted at the end), where per-run data and logs stay.
set -euo pipefail

PROCESSES=${PROCESSES:-2} CONNS=${CONNS:-50} DURATION=${DURATION:-10} ROUNDS=${ROUNDS:-3}
STRATEGY=least-connections JAVA=java JVM_OPTS="" WARMUP=10 REWARM=2 QUIET_WAIT=60 MAX_OTHER=15
OUT="" INSTALL=1 MODES="tcp http" BASELINE_JAR="" WRK_HEADERS=()
ORIG_ARGS=("$@")

die() { echo "cluster-vs-direct: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --modes) MODES=${2?}; shift 2 ;;
    --processes) PROCESSES=${2:?}; shift 2 ;;
    --strategy) STRATEGY=${2:?}; shift 2 ;;
    --java) JAVA=${2:?}; shift 2 ;;
    --jvm-opts) JVM_OPTS=${2?}; shift 2 ;;
    --conns) CONNS=${2:?}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --warmup) WARMUP=${2:?}; shift 2 ;;
    --rewarm) REWARM=${2:?}; shift 2 ;;
    --quiet-wait) QUIET_WAIT=${2:?}; shift 2 ;;
    --max-other) MAX_OTHER=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    --baseline-jar) BASELINE_JAR=${2:?}; shift 2 ;;
    --close) WRK_HEADERS=(-H "Connection: close"); shift ;;
    --no-install) INSTALL=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
for v in PROCESSES CONNS DURATION ROUNDS WARMUP REWARM QUIET_WAIT MAX_OTHER; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
[ "$PROCESSES" -ge 1 ] && [ "$CONNS" -ge 1 ] && [ "$DURATION" -ge 1 ] && [ "$ROUNDS" -ge 1 ] \
  || die "--processes, --conns, --duration and --rounds must be >= 1"
case "$STRATEGY" in round-robin|least-connections|random|power-of-two) ;; *) die "unknown --strategy '$STRATEGY'" ;; esac
MODES_A=()
for m in ${MODES//,/ }; do
  case "$m" in tcp|http|kernel) ;; *) die "unknown mode '$m' in --modes (tcp, http, kernel)" ;; esac
  case " ${MODES_A[*]} " in *" $m "*) die "mode '$m' given twice in --modes" ;; esac
  MODES_A+=("$m")
done
[ ${#MODES_A[@]} -ge 1 ] || die "--modes needs at least one of tcp, http, kernel"
if [ -n "$BASELINE_JAR" ]; then
  [ -f "$BASELINE_JAR" ] || die "--baseline-jar $BASELINE_JAR: no such file"
  for m in "${MODES_A[@]}"; do MODES_A+=("$m-base"); done
fi
TARGETS=(direct); for m in "${MODES_A[@]}"; do TARGETS+=("cluster-$m"); done
read -r -a JVM_OPTS_A <<< "$JVM_OPTS"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
AGENT_JAR="$ROOT/agent/target/jcluster.jar"
APP_JAR="$ROOT/integration-tests/target/samples.jar"
CMDLINE="$(printf '%q ' "$0" "${ORIG_ARGS[@]}")"; CMDLINE=${CMDLINE% }

# ---------------------------------------------------------------- process bookkeeping
STARTED=()               # pids this script started and has not stopped yet (targets, wrk)
DIRECT_PID=""
declare -A CLUSTER_PID=() CLUSTER_PORT=() WORKERS_SEEN=() CLUSTER_STOP=() CLUSTER_CMD_STR=()
RUN=""

alive() {                # a live (not zombie) process
  local st
  [ -r "/proc/$1/stat" ] || return 1
  st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
forget() { local a=() p; for p in "${STARTED[@]}"; do [ "$p" = "$1" ] || a+=("$p"); done; STARTED=("${a[@]}"); }
workers_of() {           # workers_of MODE: the current worker pids (children of that cluster's parent)
  local pp=${CLUSTER_PID[$1]:-}
  [ -n "$pp" ] || return 0
  { pgrep -P "$pp" 2>/dev/null || true; } | tr '\n' ' ' | sed 's/ $//'
}
note_workers() {         # note_workers MODE: remember every worker pid ever seen of that cluster
  local p
  for p in $(workers_of "$1"); do
    case " ${WORKERS_SEEN[$1]:-} " in *" $p "*) ;; *) WORKERS_SEEN[$1]="${WORKERS_SEEN[$1]:-} $p" ;; esac
  done
}
stop_pid() {             # stop_pid PID GRACE_SECONDS: SIGTERM, wait, SIGKILL; echoes nothing, sets STOP_STATUS
  local pid=$1 grace=$2 i
  STOP_STATUS=""
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      log "pid $pid still alive ${grace}s after SIGTERM: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      STOP_STATUS="killed"
    fi
  fi
  local rc=0; wait "$pid" 2>/dev/null || rc=$?
  [ -n "$STOP_STATUS" ] || STOP_STATUS="exit $rc"
  forget "$pid"
}
stop_cluster() {         # stop_cluster MODE: stop that cluster's parent, then any worker that outlived it
  local m=$1 pp=${CLUSTER_PID[$1]:-}
  [ -n "$pp" ] || return 0
  note_workers "$m"
  local t0=$SECONDS p
  stop_pid "$pp" 10
  log "cluster-$m parent $pp stopped: $STOP_STATUS after $((SECONDS - t0)) s"
  CLUSTER_STOP[$m]="$STOP_STATUS"
  CLUSTER_PID[$m]=""
  sleep 0.5              # a worker exits right after its parent; give it a moment before judging
  for p in ${WORKERS_SEEN[$m]:-}; do
    # only pids that still run our app (a pid could have been reused)
    if alive "$p" && tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q 'samples.hello.HelloServer'; then
      log "cluster-$m worker pid $p outlived the parent: SIGKILL"; kill -KILL "$p" 2>/dev/null || true
      LEFT_WORKERS[$m]="${LEFT_WORKERS[$m]:-} $p"
    fi
  done
}
declare -A LEFT_WORKERS=()
cleanup() {
  trap '' INT TERM       # finish cleaning up even if interrupted again
  local p m
  for m in "${MODES_A[@]}"; do stop_cluster "$m" || true; done
  if [ -n "$DIRECT_PID" ]; then stop_pid "$DIRECT_PID" 5 || true; DIRECT_PID=""; fi
  for p in "${STARTED[@]}"; do stop_pid "$p" 2 || true; done   # wrk, if interrupted mid-run
  STARTED=()
  # the jar copies (their hashes are in the report) and scratch files; results, logs and raw output stay
  if [ -n "$RUN" ]; then rm -f "$RUN/jcluster.jar" "$RUN/baseline/jcluster.jar" "$RUN/samples.jar" "$RUN"/[oq][01]; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- setup: tools, jars, JDK
install_tools() {
  local -A pkg_of=([wrk]=wrk [curl]=curl [ss]=iproute2 [pgrep]=procps)
  local need=() b
  for b in "${!pkg_of[@]}"; do command -v "$b" >/dev/null 2>&1 || need+=("${pkg_of[$b]}"); done
  [ ${#need[@]} -eq 0 ] && return 0
  [ "$INSTALL" = 1 ] || die "missing packages: ${need[*]} (and --no-install given)"
  [ "$(id -u)" = 0 ] || die "missing packages: ${need[*]}; run as root or install them"
  log "installing: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
}
build_if_missing() {
  [ -f "$AGENT_JAR" ] && [ -f "$APP_JAR" ] && return 0
  command -v mvn >/dev/null || die "need $AGENT_JAR and $APP_JAR, and mvn is not installed"
  log "building (mvn -B -q -DskipTests package) ..."
  if ! mvn -B -q -DskipTests package >&2; then
    log "build failed; retrying once (someone may be building in the same tree)"
    sleep 5
    mvn -B -q -DskipTests package >&2 || die "build failed"
  fi
  [ -f "$AGENT_JAR" ] && [ -f "$APP_JAR" ] || die "build did not produce $AGENT_JAR and $APP_JAR"
}

install_tools
build_if_missing
JAVA_BIN=$(command -v "$JAVA" 2>/dev/null) || die "no java launcher '$JAVA'"
JDK_VERSION=$("$JAVA_BIN" -version 2>&1 | tr '\n' ' ' | sed 's/  */ /g; s/ $//')
JDK_FEATURE=$("$JAVA_BIN" -XshowSettings:properties -version 2>&1 | awk '$1 == "java.specification.version" {print $3}')
JDK_FEATURE=${JDK_FEATURE#1.}
[[ "$JDK_FEATURE" =~ ^[0-9]+$ ]] || die "cannot tell the version of $JAVA_BIN"
CLUSTER_EXTRA=()
[ "$JDK_FEATURE" -ge 24 ] && CLUSTER_EXTRA+=(--enable-native-access=ALL-UNNAMED)
[ -r /proc/self/schedstat ] || die "/proc/PID/schedstat is not available on this kernel"

RUN=$(mktemp -d /tmp/jcluster-bench.XXXXXX)
mkdir -p "$RUN/raw"
# Run from private copies of the jars, with the run dir as working directory: a concurrent 'mvn package' in
# the tree rewrites the jars, and a JVM whose mapped jar is rewritten dies with SIGBUS (hs_err files land in $RUN).
copy_jars() {
  local try
  for try in 1 2 3 4 5; do
    cp "$ROOT/agent/target/jcluster.jar" "$RUN/jcluster.jar" 2>/dev/null \
      && cp "$ROOT/integration-tests/target/samples.jar" "$RUN/samples.jar" 2>/dev/null \
      && { ! command -v unzip >/dev/null || { unzip -tqq "$RUN/jcluster.jar" && unzip -tqq "$RUN/samples.jar"; } >/dev/null 2>&1; } \
      && return 0
    log "jar copy incomplete (a build running?); retrying in 3 s"; sleep 3
  done
  die "could not get intact copies of $ROOT/agent/target/jcluster.jar and $ROOT/integration-tests/target/samples.jar"
}
copy_jars
if [ -n "$BASELINE_JAR" ]; then    # its own directory: Boot-Class-Path names jcluster.jar next to the agent jar
  mkdir -p "$RUN/baseline" && cp "$BASELINE_JAR" "$RUN/baseline/jcluster.jar"
fi
AGENT_JAR="$RUN/jcluster.jar"     # Boot-Class-Path: jcluster.jar resolves next to it
APP_JAR="$RUN/samples.jar"
JARS_INFO="jcluster.jar $(sha256sum "$AGENT_JAR" | cut -c1-12) ($(date -r "$ROOT/agent/target/jcluster.jar" '+%H:%M:%S')), samples.jar $(sha256sum "$APP_JAR" | cut -c1-12)"
HZ=$(getconf CLK_TCK)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# ---------------------------------------------------------------- helpers
port_busy() { [ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ]; }
free_port() {            # a port below the ephemeral range, not in use, not $1
  local lo p i
  lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for ((i = 0; i < 200; i++)); do
    p=$((15000 + RANDOM % (lo - 15000)))
    [ "$p" != "${1:-}" ] && ! port_busy "$p" && { echo "$p"; return 0; }
  done
  die "no free port found"
}
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null || true; }
wait_ready() {           # wait_ready NAME PID PORT SECONDS [LOGLINE]: until GET / answers 200 (and LOGLINE is logged)
  local name=$1 pid=$2 port=$3 secs=$4 line=${5:-} i
  for ((i = 0; i < secs * 5; i++)); do
    case "$name" in cluster-*) note_workers "${name#cluster-}" ;; esac   # so that workers are stopped even if the parent dies now
    alive "$pid" || { tail -20 "$RUN/$name.log" >&2; die "$name (pid $pid) exited during startup (log: $RUN/$name.log)"; }
    if [ -z "$line" ] || grep -qF "$line" "$RUN/$name.log"; then
      [ "$(http_code "$port")" = 200 ] && return 0
    fi
    sleep 0.2
  done
  tail -20 "$RUN/$name.log" >&2
  die "$name did not become ready on 127.0.0.1:$port within ${secs}s (log: $RUN/$name.log)"
}
# CPU accounting. schedstat is per thread and a thread's counter vanishes with it (the app's cached thread
# pool retires idle threads), so every thread's counter is sampled each second during a run and a thread
# that exits counts with its last sample (loses < 1 s of an exiting, i.e. idle, thread's time).
declare -A CPU_START=() CPU_LAST=()
cpu_sample() {           # cpu_sample INIT PID...: record every thread's on-CPU ns (schedstat field 1)
  local init=$1 p f v key; shift
  for p in "$@"; do
    for f in /proc/"$p"/task/*/schedstat; do
      { read -r v _ < "$f"; } 2>/dev/null || continue
      key=${f#/proc/}; key=${key%/schedstat}; key=${key/\/task\//\/}     # pid/tid
      CPU_LAST[$key]=$v
      if [ "$init" = 1 ]; then CPU_START[$key]=$v; fi
    done
  done
}
cpu_reset() { CPU_START=(); CPU_LAST=(); }
cpu_delta() {            # cpu_delta PID...: ns on CPU since the INIT sample, summed over the pids' threads
  local p k s=0
  for p in "$@"; do
    for k in "${!CPU_LAST[@]}"; do
      if [[ "$k" == "$p/"* ]]; then s=$((s + CPU_LAST[$k] - ${CPU_START[$k]:-0})); fi
    done
  done
  echo "$s"
}
ticks_of() {             # utime+stime ticks of the given pids (includes exited threads; a cross-check)
  local p s=0 v
  for p in "$@"; do
    v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || v=0
    s=$((s + ${v:-0}))
  done
  echo "$s"
}
# CPU used by OTHER processes: utime+stime of every process except ours and kernel threads. (/proc/stat's
# whole-machine busy time is not used: on this kind of VM it under-counts short bursts of many threads.)
others_snap() {          # others_snap OUTFILE: "pid ticks" of all processes but $OURS and kernel threads
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v ex=" $$ $OURS " '{
      p = $1; s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
      if (p == 2 || f[2] == 2 || index(ex, " " p " ")) next
      print p, f[12] + f[13] }' > "$1"
}
others_pct() {           # others_pct START_FILE END_FILE SECONDS: their CPU as % of the whole machine
  awk -v hz="$HZ" -v secs="$3" -v n="$(nproc)" 'NR == FNR {a[$1] = $2; next}
      {d = $2 - (($1 in a) ? a[$1] : 0); if (d < 0) d = $2; t += d}
      END {printf "%.1f", (secs > 0) ? 100 * t / hz / secs / n : 0}' "$1" "$2"
}
ours() {                 # the pids to leave out of "other": targets, workers, wrk (+ this shell)
  local m
  OURS="$DIRECT_PID ${*:-}"
  for m in "${MODES_A[@]}"; do OURS="$OURS ${CLUSTER_PID[$m]:-} $(workers_of "$m")"; done
}
OURS=""
wait_quiet() {           # with our load off, wait (bounded) until other processes use <= MAX_OTHER %
  [ "$QUIET_WAIT" -gt 0 ] || return 0
  local t0=$SECONDS b said=0
  ours
  while :; do
    others_snap "$RUN/q0"; sleep 1; others_snap "$RUN/q1"
    b=$(others_pct "$RUN/q0" "$RUN/q1" 1); b=${b%.*}
    if [ "$b" -le "$MAX_OTHER" ]; then
      if [ "$said" = 1 ]; then log "  quiet again after $((SECONDS - t0)) s"; fi
      return 0
    fi
    if [ $((SECONDS - t0)) -ge "$QUIET_WAIT" ]; then log "  others still use ${b}% after ${QUIET_WAIT}s: measuring anyway"; return 0; fi
    if [ "$said" = 0 ]; then log "  other processes use ${b}% of the machine: waiting for quiet (at most ${QUIET_WAIT}s)"; fi
    said=1; sleep 2
  done
}
run_wrk() {              # run_wrk PORT SECONDS OUTFILE [--latency]: wrk in the background so signals are handled at once
  local port=$1 secs=$2 out=$3; shift 3
  wrk -t1 -c"$CONNS" -d"${secs}s" --timeout 5s "${WRK_HEADERS[@]}" "$@" "http://127.0.0.1:$port/" > "$out" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  local rc=0; wait "$pid" || rc=$?
  forget "$pid"
  return $rc
}
to_ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print "NA" }'; }

# ---------------------------------------------------------------- start the targets
DIRECT_PORT=$(free_port)
USED_PORTS="$DIRECT_PORT"
DIRECT_CMD=("$JAVA_BIN" "${JVM_OPTS_A[@]}" -cp "$APP_JAR" samples.hello.HelloServer "$DIRECT_PORT")
port_of() { if [ "$1" = direct ]; then echo "$DIRECT_PORT"; else echo "${CLUSTER_PORT[${1#cluster-}]}"; fi; }

log "run dir $RUN; JDK $JDK_FEATURE ($JAVA_BIN); targets: ${TARGETS[*]}"
(cd "$RUN" && exec "${DIRECT_CMD[@]}") > "$RUN/direct.log" 2>&1 &
DIRECT_PID=$!
log "direct:  $(printf '%q ' "${DIRECT_CMD[@]}")(pid $DIRECT_PID)"
wait_ready direct "$DIRECT_PID" "$DIRECT_PORT" 30

for m in "${MODES_A[@]}"; do
  while :; do p=$(free_port); case " $USED_PORTS " in *" $p "*) ;; *) break ;; esac; done
  USED_PORTS="$USED_PORTS $p"; CLUSTER_PORT[$m]=$p
  mode=${m%-base}; jar=$AGENT_JAR
  [ "$mode" != "$m" ] && jar="$RUN/baseline/jcluster.jar"
  agent_args="processes=$PROCESSES,strategy=$STRATEGY,mode=$mode"
  [ "$mode" = kernel ] && agent_args="processes=$PROCESSES,balancer=kernel" # no proxy: no strategy, no mode
  cmd=("$JAVA_BIN" "${CLUSTER_EXTRA[@]}" "${JVM_OPTS_A[@]}"
    "-javaagent:$jar=$agent_args" -cp "$APP_JAR" samples.hello.HelloServer "$p")
  CLUSTER_CMD_STR[$m]=$(printf '%q ' "${cmd[@]}" | sed 's/ $//')
  (cd "$RUN" && exec "${cmd[@]}") > "$RUN/cluster-$m.log" 2>&1 &
  CLUSTER_PID[$m]=$!
  log "cluster-$m: ${CLUSTER_CMD_STR[$m]} (pid ${CLUSTER_PID[$m]})"
  wait_ready "cluster-$m" "${CLUSTER_PID[$m]}" "$p" 60 "[jcluster] listening on"
  note_workers "$m"
  listening=$(grep -F '[jcluster] listening on' "$RUN/cluster-$m.log" | head -1)
  # the parent's startup line names the strategy and the front end: measuring another mode than asked would be a lie
  case "$mode:$listening" in
    "kernel:"*"(kernel SO_REUSEPORT, no proxy)"*) ;;
    kernel:*) die "cluster-kernel: the parent's startup line does not say '(kernel SO_REUSEPORT, no proxy)': $listening (log: $RUN/cluster-$m.log)" ;;
    *"($STRATEGY, $mode, "*) ;;
    *) die "cluster-$m: the parent's startup line does not say '($STRATEGY, $mode, ...)': $listening (log: $RUN/cluster-$m.log)" ;;
  esac
  workers=$(workers_of "$m")
  nw=$(echo "$workers" | wc -w)
  [ "$nw" -eq "$PROCESSES" ] || log "WARNING: the cluster-$m parent has $nw child processes ($workers), expected $PROCESSES"
  log "cluster-$m ready: $listening; workers: $workers"
  grep -F '[jcluster] transport' "$RUN/cluster-$m.log" | head -1 >&2 || true
  seen=$(for _ in $(seq 12); do curl -s --max-time 2 "http://127.0.0.1:$p/" || true; done | sort | uniq -c | sed 's/^ */    /')
  log "cluster-$m: 12 GET / on 12 connections answered:"; echo "$seen" >&2
  urls=(); for _ in $(seq 12); do urls+=("http://127.0.0.1:$p/"); done
  seen=$(curl -s --max-time 5 "${urls[@]}" | sort | uniq -c | sed 's/^ */    /' || true)
  log "cluster-$m: 12 GET / on one keep-alive connection answered:"; echo "$seen" >&2
done

for t in "${TARGETS[@]}"; do
  if [ "$WARMUP" -gt 0 ]; then
    log "warming up $t for ${WARMUP}s"
    run_wrk "$(port_of "$t")" "$WARMUP" "$RUN/raw/warmup-$t.txt" || log "WARNING: warm-up wrk on $t failed (see $RUN/raw/warmup-$t.txt)"
  fi
done

# ---------------------------------------------------------------- measure
CSV="$RUN/results.csv"
echo "target,round,attempt,rps,p50_ms,p99_ms,requests,errors,balancer_cpu_us_per_req,app_cpu_us_per_req,balancer_ticks_us_per_req,app_ticks_us_per_req,other_cpu_pct,worker_shares,workers_changed" > "$CSV"
ODD=()

measure_once() {         # measure_once TARGET ROUND ATTEMPT -> sets ROW, OTHER
  local t=$1 r=$2 att=$3 port bal="" app raw w1 m=${1#cluster-}
  raw="$RUN/raw/$t-r$r-a$att.txt"
  port=$(port_of "$t")
  if [ "$t" = direct ]; then
    app=$DIRECT_PID
    alive "$DIRECT_PID" || die "the direct server (pid $DIRECT_PID) died (log: $RUN/direct.log)"
  else
    bal=${CLUSTER_PID[$m]}
    alive "$bal" || die "the $t parent (pid $bal) died (log: $RUN/$t.log)"
    note_workers "$m"
    app=$(workers_of "$m")
  fi
  wait_quiet
  if [ "$REWARM" -gt 0 ]; then run_wrk "$port" "$REWARM" /dev/null || true; fi
  local bt0=0 bt1=0 at0 at1 wpid rc=0 t0 secs p
  cpu_reset
  # shellcheck disable=SC2086
  cpu_sample 1 $bal $app
  [ -n "$bal" ] && bt0=$(ticks_of $bal)
  at0=$(ticks_of $app)
  wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency "${WRK_HEADERS[@]}" "http://127.0.0.1:$port/" > "$raw" 2>&1 &
  wpid=$!; STARTED+=("$wpid"); t0=$(date +%s.%N)
  ours "$wpid"; others_snap "$RUN/o0"
  while alive "$wpid"; do sleep 1; cpu_sample 0 $bal $app; done
  wait "$wpid" || rc=$?
  forget "$wpid"
  others_snap "$RUN/o1"; secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{print b - a}')
  cpu_sample 0 $bal $app
  at1=$(ticks_of $app)
  [ -n "$bal" ] && bt1=$(ticks_of $bal)
  [ "$rc" = 0 ] || log "WARNING: wrk exited with status $rc (see $raw)"
  local bn=0 an changed=no shares=""
  [ -n "$bal" ] && bn=$(cpu_delta $bal)
  an=$(cpu_delta $app)
  if [ "$t" != direct ]; then
    note_workers "$m"
    w1=$(workers_of "$m")
    [ "$w1" = "$app" ] || changed="yes($app->$w1)"
    for p in $app; do
      shares="$shares$(awk -v d="$(cpu_delta "$p")" -v t="$an" 'BEGIN{printf "%.0f%%", (t > 0) ? 100*d/t : 0}')/"
    done
    shares=${shares%/}
  fi
  local rps p50 p99 reqs errs
  rps=$(awk '/^Requests\/sec:/{print $2}' "$raw"); rps=${rps:-NA}
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$raw")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$raw")")
  reqs=$(awk '/requests in/{print $1}' "$raw"); reqs=${reqs:-0}
  errs=$(awk '/Socket errors:/{gsub(",", ""); s += $4 + $6 + $8 + $10} /Non-2xx/{s += $NF} END{print s + 0}' "$raw")
  OTHER=$(others_pct "$RUN/o0" "$RUN/o1" "$secs")
  ROW=$(awk -v t="$t" -v r="$r" -v att="$att" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v reqs="$reqs" -v errs="$errs" \
      -v hasb="${bal:+1}" -v bn="$bn" -v bt="$((bt1 - bt0))" -v an="$an" -v at="$((at1 - at0))" -v hz="$HZ" \
      -v oth="$OTHER" -v shares="${shares:--}" -v changed="$changed" 'BEGIN{
        bcu = (hasb && reqs > 0) ? sprintf("%.2f", bn / 1000 / reqs) : "NA"
        bct = (hasb && reqs > 0) ? sprintf("%.2f", bt * 1e6 / hz / reqs) : "NA"
        acu = (reqs > 0) ? sprintf("%.2f", an / 1000 / reqs) : "NA"
        act = (reqs > 0) ? sprintf("%.2f", at * 1e6 / hz / reqs) : "NA"
        printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s", t, r, att, rps, p50, p99, reqs, errs, bcu, acu, bct, act, oth, shares, changed }')
  OTHER=${OTHER%.*}
  echo "$ROW" | awk -F, '{printf "  r%s %-12s rps=%-9s p50=%sms p99=%sms reqs=%s err=%s balancer=%sus/req app=%sus/req (from ticks: %s / %s) other=%s%% workers=%s changed=%s\n", $2, $1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15}' >&2
  [ "$errs" = 0 ] || ODD+=("$t round $r: $errs wrk errors ($(grep -E 'Socket errors|Non-2xx' "$raw" | tr -s ' ' | tr '\n' ';'))")
  [ "$changed" = no ] || ODD+=("$t round $r: worker processes changed during the run: $changed")
  [ "$reqs" != 0 ] || ODD+=("$t round $r: wrk completed no requests (see $raw)")
  return 0
}

NT=${#TARGETS[@]}
log "measuring: $ROUNDS rounds x (${TARGETS[*]}), ${DURATION}s each, wrk -t1 -c$CONNS"
for r in $(seq "$ROUNDS"); do
  for ((k = 0; k < NT; k++)); do
    t=${TARGETS[$(((r - 1 + k) % NT))]}   # round r starts with target r-1: no target always runs first
    for att in 1 2; do
      measure_once "$t" "$r" "$att"
      if [ "$OTHER" -le "$MAX_OTHER" ] || [ "$att" = 2 ]; then echo "$ROW" >> "$CSV"; break; fi
      echo "$ROW" >> "$RUN/noisy.csv"
      log "  ^ other processes used ${OTHER}% of the machine (> ${MAX_OTHER}%): discarded, measuring again"
    done
  done
done

# ---------------------------------------------------------------- stop, then report
for m in "${MODES_A[@]}"; do
  stop_cluster "$m"
  [ "${CLUSTER_STOP[$m]:-}" = "exit 0" ] || ODD+=("the cluster-$m parent did not exit 0 on SIGTERM: ${CLUSTER_STOP[$m]:-?}")
  [ -z "${LEFT_WORKERS[$m]:-}" ] || ODD+=("cluster-$m worker pids still alive after the parent stopped (SIGKILLed):${LEFT_WORKERS[$m]}")
  left=""
  for p in ${WORKERS_SEEN[$m]:-}; do alive "$p" && left="$left $p"; done
  [ -z "$left" ] || ODD+=("cluster-$m worker pids still alive at the end:$left")
  log "cluster-$m: worker pids seen:${WORKERS_SEEN[$m]:-} (none left: $([ -z "$left" ] && echo yes || echo "no,$left"))"
done
stop_pid "$DIRECT_PID" 5; DIRECT_PID=""
p50d=$(awk -F, '$1 == "direct" && $5 ~ /^[0-9.]+$/ {print $5}' "$CSV" | sort -n | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}')
if awk -v v="${p50d:-0}" 'BEGIN{exit !(v >= 35)}'; then
  ODD+=("direct p50 is ${p50d} ms: likely Nagle + delayed ACK in the JDK HttpServer (no TCP_NODELAY); rps is then latency-capped for both targets. Was -Dsun.net.httpserver.nodelay=false given?")
fi
grep -iE 'exception|error|warn' "$RUN"/cluster-*.log "$RUN/direct.log" > "$RUN/log-alerts.txt" 2>/dev/null || true
[ -s "$RUN/log-alerts.txt" ] && ODD+=("target logs mention exception/error/warning: $(wc -l < "$RUN/log-alerts.txt") lines, see $RUN/log-alerts.txt")

table() {
  awk -F, -v conns="$CONNS" '
  function med(s,   n, a, i, j, t) {
    n = split(s, a, " "); if (n == 0) return "NA"
    for (i = 2; i <= n; i++) { t = a[i] + 0; j = i - 1; while (j > 0 && a[j] + 0 > t) { a[j+1] = a[j]; j-- } a[j+1] = t }
    return (n % 2) ? a[(n+1)/2] + 0 : (a[n/2] + a[n/2+1]) / 2
  }
  function mx(s,   n, a, i, m) { n = split(s, a, " "); if (n == 0) return "NA"; m = a[1] + 0; for (i = 2; i <= n; i++) if (a[i] + 0 > m) m = a[i] + 0; return m }
  function f(v, fmt) { return (v == "NA") ? "—" : sprintf(fmt, v) }
  NR == 1 { next }
  { t = $1; if (!(t in seen)) { seen[t] = 1; order[++nt] = t }
    for (c = 4; c <= 13; c++) if ($c ~ /^-?[0-9.]+$/) V[t, c] = V[t, c] " " $c
    n[t]++; err[t] += $8 }
  END {
    print "| target | conns | rps | p50 ms | p99 ms | errors (total) | balancer CPU µs/req | app CPU µs/req | runs | other CPU % (max) |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= nt; i++) {
      t = order[i]
      label = t; sub(/-/, " ", label)
      printf "| %s | %s | %s | %s | %s | %d | %s | %s | %d | %s |\n", label, conns, f(med(V[t, 4]), "%.0f"), f(med(V[t, 5]), "%.3f"),
        f(med(V[t, 6]), "%.2f"), err[t], f(med(V[t, 9]), "%.2f"), f(med(V[t, 10]), "%.2f"), n[t], f(mx(V[t, 13]), "%.0f")
    }
  }' "$CSV"
}

REPORT="$RUN/report.md"
{
  echo "## jcluster: $(echo "${TARGETS[*]}" | sed 's/ / vs /g') ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
  echo
  table
  echo
  echo "Medians over $ROUNDS rounds, each running every target once (round 1 in the order ${TARGETS[*]}, each later round"
  echo "starting one target later); all targets stay up throughout; each run wrk -t1 -c$CONNS -d${DURATION}s --latency --timeout 5s${WRK_HEADERS[*]:+ -H \"Connection: close\"};"
  echo "each target warmed up ${WARMUP}s after start and ${REWARM}s right before each run."
  echo "CPU µs/req = on-CPU time of all threads (/proc/PID/task/*/schedstat) over the run / requests completed;"
  echo "balancer = the cluster parent JVM alone; app = the $PROCESSES worker JVMs together (cluster) or the single server (direct)."
  echo "other CPU % = CPU used during the run by all processes but wrk and the targets (utime+stime), % of the whole machine;"
  echo "a run above ${MAX_OTHER}% was measured again, once."
  echo
  echo "- command: \`$CMDLINE\` (cwd $(pwd))"
  for m in "${MODES_A[@]}"; do
    if [ "${m%-base}" = kernel ]; then how="balancer=kernel, no proxy"; else how="mode ${m%-base}, strategy $STRATEGY"; fi
    [ "${m%-base}" = "$m" ] || how="$how, baseline jar $BASELINE_JAR"
    echo "- cluster-$m: \`${CLUSTER_CMD_STR[$m]}\` ($how, processes $PROCESSES)"
  done
  echo "- direct: \`$(printf '%q ' "${DIRECT_CMD[@]}" | sed 's/ $//')\`"
  echo "- machine: nproc=$(nproc), cpu=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), kernel=$(uname -r), mem=$(awk '/MemTotal/{printf "%.1fGiB", $2/1048576}' /proc/meminfo)"
  echo "- JDK: $JDK_VERSION"
  for m in "${MODES_A[@]}"; do
    echo "- cluster-$m $(grep -F '[jcluster] listening on' "$RUN/cluster-$m.log" | head -1 | sed 's/^.*\[jcluster\]/jcluster:/')"
  done
  echo "- wrk: $(wrk -v 2>&1 | head -1)"
  echo "- jars (copied from agent/target and integration-tests/target at start): $JARS_INFO"
  echo "- git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] && echo ' (dirty tree)')"
  echo "- date: $(date '+%Y-%m-%d %H:%M:%S %Z')"
  echo "- raw data: $RUN (results.csv, raw/, *.log)"
  if [ ${#ODD[@]} -gt 0 ]; then
    echo
    echo "Notes:"
    for o in "${ODD[@]}"; do echo "- $o"; done
  fi
} > "$REPORT"
cat "$REPORT"
if [ -n "$OUT" ]; then
  mkdir -p "$(dirname "$OUT")"
  cp "$REPORT" "$OUT"
  log "report written to $OUT"
fi
