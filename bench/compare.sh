#!/usr/bin/env bash
# compare.sh — jcluster's balancer next to HAProxy and nginx, same machine, same backends, same method.
#
# Starts the jcluster standalone balancer (java -jar jcluster.jar balance) twice, in tcp mode on 127.0.0.1:18110
# and in http mode on 127.0.0.1:18111, both round-robin over the anchors' two nginx backends
# (127.0.0.1:18081/18082; they come up later, when anchors.sh starts them: the balancer probes them in), then runs
# ../shared/bench/anchors.sh with the two as --extra targets, so HAProxy, nginx and jcluster are measured in the
# same alternating rounds. Then it writes the medians as a markdown table, with the ratio of jcluster's proxy CPU
# per request to HAProxy's (tcp vs hap-tcp-rr, http vs hap-http) at each connection count, into a new dated section
# of bench/RESULTS.md (machine, JDK, commit, command).
#
# Builds agent/target/jcluster.jar first when it is missing or older than a source file, and runs the balancers
# from a copy of it in a temporary directory (a rebuild under a running JVM crashes it). Both balancers are
# stopped by pid on exit, Ctrl-C or SIGTERM (SIGTERM, then SIGKILL after 10 s).
#
# Examples:
#   bench/compare.sh                                     # anchors' defaults: 3 rounds, conns 50 200, many 2000
#   bench/compare.sh --rounds 5
#   bench/compare.sh --rounds 1 --duration 3 --conns 50 --many 0 --configs direct,hap-tcp-rr,hap-http --no-write
#
# Usage: bench/compare.sh [options] [-- more anchors.sh options]
#   --java PATH       java launcher for the balancers (default: Temurin 25 if installed, else java)
#   --jvm-opts "..."  JVM options of the balancers (default "-XX:+UseSerialGC -Xmx64m"; JDK 24+ also gets
#                     --enable-native-access=ALL-UNNAMED)
#   --strategy S      the balancers' strategy (default round-robin, as in hap-tcp-rr and hap-http)
#   --balance-opts "..." more options for both balancers, e.g. "--max-connections 10000"
#   --anchors PATH    anchors.sh (default: ../shared/bench/anchors.sh next to this repository)
#   --rounds N --conns "50 200" --many N --duration S --configs LIST --many-configs LIST --threads N
#   --quiet-wait S --max-other PCT --retries N --pin --no-install
#                     passed to anchors.sh (see its --help)
#   --warmup S        anchors' warm-up before each run (default 8: the JVMs stay up across runs, but the
#                     first run of each needs the JIT)
#   --jit-warmup S    before the anchors run, S seconds of wrk load on each jcluster balancer, a third each at 50,
#                     200 and 2,000 connections (default 60; 0 skips it): the JIT compiles the paths each connection
#                     count takes (new connections, many idle ones) before anything is measured, as in a balancer
#                     that has been up a while; and the scaling table's jcluster balancers S seconds at its
#                     connections. What the compiler threads still use during the measured runs is
#                     printed under the table ("JIT compiler share")
#   --tcp-port P --http-port P   where the balancers listen (default 18110, 18111)
#   --epoll           also measure both modes with --transport epoll (two more balancers on the next two ports),
#                     next to the default transport (io_uring where the kernel allows it)
#   --baseline-jar J  also measure both modes with another jcluster.jar (e.g. built from an earlier commit), on
#                     the two ports after the epoll ones, as "jcluster-tcp-base"/"jcluster-http-base": a before/after
#                     in the same alternating rounds; the table gets a "CPU vs baseline" column
#   --no-noflags      skip the two balancers started with no JVM flags at all (as README shows the command),
#                     measured in the same rounds for the "RSS no JVM flags" column (ports after the baseline ones)
#   --no-scaling      skip the 2-core scaling table (below)
#   --scaling-conns N --scaling-threads N --scaling-modes "tcp http"
#                     the scaling table's wrk connections (default 200), wrk threads (default 2) and modes
#   --out DIR         anchors' run directory (default /tmp/anchors/compare.DATE). Another anchors.sh starting
#                     meanwhile stops the processes of every run directory under /tmp/anchors it finds (its
#                     leftover reaping): on a machine shared with other benchmarks give a DIR outside /tmp/anchors
#   --no-write        print the table only; leave bench/RESULTS.md alone
#
# The scaling table (after the anchors run, same backends restarted by anchors.sh --backends-only): each proxy
# given 1 core and then 2 cores, pinned with taskset (-c 1, then -c 0,1); wrk and the two nginx backends are NOT
# pinned and float over both cores. HAProxy runs nbthread 1 on 1 core and nbthread 2 on 2 cores; jcluster runs
# -XX:ActiveProcessorCount=N --event-loops N, each jcluster first given --jit-warmup s of wrk at the table's
# connections (on one core the JIT compiles beside the only event loop for a minute and more: p99 of 60-150 ms
# then, 9-13 ms after). Each proxy keeps running across the rounds (JIT warm), rounds
# alternate the four, medians are printed. On a 2-core machine the second core is shared with wrk and nginx, so
# no proxy can double its rps: what the table shows is whether a proxy can use a second core at all (a
# one-thread proxy stays near 1.0x) and what it costs in CPU per request, side by side with HAProxy.
#   -h, --help        this text
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ANCHORS="$ROOT/../shared/bench/anchors.sh"
JAVA="" JVM_OPTS="-XX:+UseSerialGC -Xmx64m" STRATEGY=round-robin BALANCE_OPTS="" WARMUP=8 JIT_WARMUP=60
TCP_PORT=18110 HTTP_PORT=18111 WRITE=1 ALSO_EPOLL=0 BASELINE_JAR="" NOFLAGS=1
RUN="" SCALING=1 SCALING_CONNS=200 SCALING_THREADS=2 SCALING_MODES="tcp http" ROUNDS=3 DURATION=10
BE1_PORT=${BE1_PORT:-18081} BE2_PORT=${BE2_PORT:-18082}
PASS=()
ORIG_ARGS=("$@")

die() { echo "compare: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] compare: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --java) JAVA=${2:?}; shift 2 ;;
    --jvm-opts) JVM_OPTS=${2?}; shift 2 ;;
    --strategy) STRATEGY=${2:?}; shift 2 ;;
    --balance-opts) BALANCE_OPTS=${2?}; shift 2 ;;
    --anchors) ANCHORS=${2:?}; shift 2 ;;
    --warmup) WARMUP=${2:?}; shift 2 ;;
    --jit-warmup) JIT_WARMUP=${2:?}; [[ "$JIT_WARMUP" =~ ^[0-9]+$ ]] || die "--jit-warmup wants seconds, got '$JIT_WARMUP'"; shift 2 ;;
    --tcp-port) TCP_PORT=${2:?}; shift 2 ;;
    --http-port) HTTP_PORT=${2:?}; shift 2 ;;
    --no-write) WRITE=0; shift ;;
    --out) RUN=${2:?}; shift 2 ;;
    --no-noflags) NOFLAGS=0; shift ;;
    --epoll) ALSO_EPOLL=1; shift ;;
    --baseline-jar) BASELINE_JAR=${2:?}; shift 2 ;;
    --no-scaling) SCALING=0; shift ;;
    --scaling-conns) SCALING_CONNS=${2:?}; shift 2 ;;
    --scaling-threads) SCALING_THREADS=${2:?}; shift 2 ;;
    --scaling-modes) SCALING_MODES=${2:?}; shift 2 ;;
    --rounds|--conns|--many|--duration|--configs|--many-configs|--threads|--quiet-wait|--max-other|--retries)
      case "$1" in --rounds) ROUNDS=${2:?} ;; --duration) DURATION=${2:?} ;; esac
      PASS+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    --pin|--no-install) PASS+=("$1"); shift ;;
    --) shift; PASS+=("$@"); break ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

# a worktree under /work/wt/NAME sits one level deeper than the main checkout next to ../shared
[ -f "$ANCHORS" ] || [ ! -f "$ROOT/../../shared/bench/anchors.sh" ] || ANCHORS=$(cd "$ROOT/../../shared/bench" && pwd)/anchors.sh
[ -f "$ANCHORS" ] || die "anchors.sh not found at $ANCHORS (give --anchors PATH)"
if [ -z "$JAVA" ]; then
  if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java; else JAVA=java; fi
fi
command -v "$JAVA" >/dev/null 2>&1 || die "no java at '$JAVA' (give --java PATH)"
JDK_FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
JDK_LINE=$("$JAVA" -version 2>&1 | grep -m1 -i 'runtime environment' || "$JAVA" -version 2>&1 | head -1)
JVM_FLAGS=($JVM_OPTS)
if [ "${JDK_FEATURE%%.*}" -ge 24 ] 2>/dev/null; then JVM_FLAGS+=(--enable-native-access=ALL-UNNAMED); fi

# anchors.sh installs what it lacks itself, but its install step ends the script silently (set -e, pipefail)
# when no nginx/haproxy process runs yet (pgrep finds none: status 1): install here first, the same way
NEED=()
for tool in haproxy:haproxy nginx:nginx wrk:wrk curl:curl ss:iproute2 taskset:util-linux; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || NEED+=("${tool#*:}")
done
if [ ${#NEED[@]} -gt 0 ]; then
  case " ${PASS[*]} " in *" --no-install "*) die "missing packages: ${NEED[*]} (and --no-install given)" ;; esac
  [ "$(id -u)" = 0 ] || die "missing packages: ${NEED[*]}; run as root or install them"
  BEFORE=" $(pgrep -x 'nginx|haproxy' | tr '\n' ' ' || true) "
  log "installing: ${NEED[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${NEED[@]}" >&2
  for p in $(pgrep -x 'nginx|haproxy' || true); do   # a package may have started its service: stop what is new
    case "$BEFORE" in *" $p "*) continue ;; esac
    log "stopping package-started process $p"; kill -TERM "$p" 2>/dev/null || true
  done
fi

port_busy() { ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }
[ -z "$BASELINE_JAR" ] || [ -f "$BASELINE_JAR" ] || die "--baseline-jar $BASELINE_JAR: no such file"
for p in "$TCP_PORT" "$HTTP_PORT" "$BE1_PORT" "$BE2_PORT" $([ "$ALSO_EPOLL" = 1 ] && echo "$((HTTP_PORT + 1)) $((HTTP_PORT + 2))") \
    $([ -n "$BASELINE_JAR" ] && echo "$((HTTP_PORT + 3)) $((HTTP_PORT + 4))") \
    $([ "$NOFLAGS" = 1 ] && echo "$((HTTP_PORT + 5)) $((HTTP_PORT + 6))") \
    $([ "$SCALING" = 1 ] && seq $((HTTP_PORT + 7)) $((HTTP_PORT + 14))); do
  port_busy "$p" && die "port $p is in use ($(ss -Htlnp "sport = :$p" | head -1)); is another benchmark running? (one at a time: they share the backends' ports)"
done

# ---------------------------------------------------------------- build if needed, run from a copy
JAR="$ROOT/agent/target/jcluster.jar"
if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT/pom.xml" "$ROOT/agent/pom.xml" "$ROOT/bootstrap/pom.xml" "$ROOT/agent/src/main" \
      "$ROOT/bootstrap/src/main" -newer "$JAR" -type f 2>/dev/null | head -1)" ]; then
  log "building agent/target/jcluster.jar (missing or older than its sources)"
  (cd "$ROOT" && mvn -B -q -DskipTests package -pl agent -am) || die "build failed"
fi
WORK=$(mktemp -d /tmp/jcluster-compare.XXXXXX)
cp "$JAR" "$WORK/jcluster.jar"
if [ -n "$BASELINE_JAR" ]; then mkdir -p "$WORK/baseline" && cp "$BASELINE_JAR" "$WORK/baseline/jcluster.jar"; fi
COMMIT=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(cd "$ROOT" && git status --porcelain --untracked-files=no -- agent bootstrap pom.xml 2>/dev/null)" ]; then
  COMMIT="$COMMIT (+ uncommitted changes)"
fi

# ---------------------------------------------------------------- the two balancers
PIDS=() OTHER_PIDS=() JC_NAMES=() JC_PORTS=() JC_PIDS=()
cleanup() {
  trap '' INT TERM
  local pid
  for pid in "${OTHER_PIDS[@]}"; do   # the scaling table's HAProxy instances and its backends (anchors.sh cleans up its own)
    [ -n "$pid" ] || continue
    # anchors.sh --backends-only waits in a foreground sleep, and bash runs its cleanup trap only once that ends:
    # end the sleep (its child, by pid) as well
    kill -TERM "$pid" $(ps -o pid= --ppid "$pid" 2>/dev/null) 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "balancer pid $pid still up 10 s after SIGTERM: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    local status=0
    wait "$pid" 2>/dev/null || status=$?
    [ "$status" = 0 ] || log "balancer pid $pid exited with status $status after SIGTERM (expected 0; logs in $WORK)"
  done
  if [ -n "${RUN:-}" ] && [ -d "$RUN" ]; then cp "$WORK"/jcluster-*.log "$RUN/" 2>/dev/null || true; fi
  rm -f "$WORK/jcluster.jar" "$WORK/baseline/jcluster.jar"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_balancer() {      # start_balancer NAME PORT MODE [MORE OPTIONS]: starts it, waits for its startup line, sets LAST_PID
  local name=$1 port=$2 mode=$3 jar="$WORK/jcluster.jar" flags=("${JVM_FLAGS[@]}"); shift 3
  case "$name" in *-base) jar="$WORK/baseline/jcluster.jar" ;; *-noflags) flags=() ;; esac
  # shellcheck disable=SC2086
  "$JAVA" ${flags[@]+"${flags[@]}"} -jar "$jar" balance --listen "127.0.0.1:$port" \
    --backend "127.0.0.1:$BE1_PORT" --backend "127.0.0.1:$BE2_PORT" --mode "$mode" --strategy "$STRATEGY" \
    $BALANCE_OPTS "$@" > "$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  JC_NAMES+=("$name"); JC_PORTS+=("$port"); JC_PIDS+=("$LAST_PID")
  for _ in $(seq 300); do
    grep -q '\[jcluster\] balancing ' "$WORK/$name.log" && break
    kill -0 "$LAST_PID" 2>/dev/null || { cat "$WORK/$name.log" >&2; die "$name did not start (log above)"; }
    sleep 0.1
  done
  grep -q '\[jcluster\] balancing ' "$WORK/$name.log" || { cat "$WORK/$name.log" >&2; die "$name: no startup line in 30 s"; }
  log "$name pid $LAST_PID: $(grep -m1 '\[jcluster\] balancing ' "$WORK/$name.log")"
}
start_balancer jcluster-tcp "$TCP_PORT" tcp; TCP_PID=$LAST_PID
start_balancer jcluster-http "$HTTP_PORT" http; HTTP_PID=$LAST_PID
TRANSPORT_EXTRAS=()
if [ "$ALSO_EPOLL" = 1 ]; then
  start_balancer jcluster-tcp-epoll "$((HTTP_PORT + 1))" tcp --transport epoll
  TRANSPORT_EXTRAS+=(--extra "jcluster-tcp-epoll=$((HTTP_PORT + 1))@$LAST_PID")
  start_balancer jcluster-http-epoll "$((HTTP_PORT + 2))" http --transport epoll
  TRANSPORT_EXTRAS+=(--extra "jcluster-http-epoll=$((HTTP_PORT + 2))@$LAST_PID")
fi
if [ -n "$BASELINE_JAR" ]; then
  start_balancer jcluster-tcp-base "$((HTTP_PORT + 3))" tcp
  TRANSPORT_EXTRAS+=(--extra "jcluster-tcp-base=$((HTTP_PORT + 3))@$LAST_PID")
  start_balancer jcluster-http-base "$((HTTP_PORT + 4))" http
  TRANSPORT_EXTRAS+=(--extra "jcluster-http-base=$((HTTP_PORT + 4))@$LAST_PID")
fi
if [ "$NOFLAGS" = 1 ]; then   # as README shows it: java -jar jcluster.jar balance ..., no JVM flags at all
  start_balancer jcluster-tcp-noflags "$((HTTP_PORT + 5))" tcp
  TRANSPORT_EXTRAS+=(--extra "jcluster-tcp-noflags=$((HTTP_PORT + 5))@$LAST_PID")
  start_balancer jcluster-http-noflags "$((HTTP_PORT + 6))" http
  TRANSPORT_EXTRAS+=(--extra "jcluster-http-noflags=$((HTTP_PORT + 6))@$LAST_PID")
fi
STARTUP_TCP=$(grep -m1 '\[jcluster\] balancing ' "$WORK/jcluster-tcp.log" | sed 's/^.*\[jcluster\] //')
STARTUP_HTTP=$(grep -m1 '\[jcluster\] balancing ' "$WORK/jcluster-http.log" | sed 's/^.*\[jcluster\] //')

[ -n "$RUN" ] || RUN=/tmp/anchors/compare.$(date +%Y%m%d-%H%M%S)
proc_cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{t += $1} END {printf "%.0f", t}'; }
jit_cpu_ns() {          # jit_cpu_ns PID: on-CPU ns of the JVM's compiler threads (C1/C2 CompilerThreadN)
  local task t=0
  for task in /proc/"$1"/task/*; do
    case "$(cat "$task/comm" 2>/dev/null)" in C1\ Compi*|C2\ Compi*) t=$((t + $(cut -d' ' -f1 "$task/schedstat" 2>/dev/null || echo 0))) ;; esac
  done
  echo "$t"
}
stop_pid() {            # stop_pid PID: SIGTERM it and its direct children (anchors' foreground sleep), wait, SIGKILL after 10 s
  kill -TERM "$1" $(ps -o pid= --ppid "$1" 2>/dev/null) 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------- the JIT warm-up, on anchors' backends
if [ "$JIT_WARMUP" -gt 0 ]; then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  BE1_PORT=$BE1_PORT BE2_PORT=$BE2_PORT bash "$ANCHORS" --backends-only 100000 --no-install --out "$RUN/warmup-backends" \
    > "$WORK/warmup-backends.log" 2>&1 &
  WARM_BACKENDS=$!
  OTHER_PIDS+=("$WARM_BACKENDS")
  for _ in $(seq 300); do grep -q 'backends up' "$WORK/warmup-backends.log" && break; sleep 0.1; done
  grep -q 'backends up' "$WORK/warmup-backends.log" || { cat "$WORK/warmup-backends.log" >&2; die "JIT warm-up: backends did not come up"; }
  for i in "${!JC_NAMES[@]}"; do
    log "JIT warm-up: ${JC_NAMES[$i]}, ${JIT_WARMUP} s at 50, 200 and 2,000 connections"
    for conns in 50 200 2000; do
      wrk -t2 -c"$conns" -d"$(( (JIT_WARMUP + 2) / 3 ))s" --timeout 5s "http://127.0.0.1:${JC_PORTS[$i]}/" > /dev/null 2>&1 || true
    done
  done
  stop_pid "$WARM_BACKENDS"   # anchors.sh starts the same backends on the same ports for its own run
  OTHER_PIDS=("${OTHER_PIDS[@]/$WARM_BACKENDS}")   # stopped: cleanup must not signal a pid that may be reused by then
fi

# ---------------------------------------------------------------- anchors, with the two as extras
declare -A CPU_BEFORE=() JIT_BEFORE=()
for i in "${!JC_NAMES[@]}"; do
  CPU_BEFORE[${JC_NAMES[$i]}]=$(proc_cpu_ns "${JC_PIDS[$i]}"); JIT_BEFORE[${JC_NAMES[$i]}]=$(jit_cpu_ns "${JC_PIDS[$i]}")
done
log "running $ANCHORS (run dir $RUN)"
BE1_PORT=$BE1_PORT BE2_PORT=$BE2_PORT bash "$ANCHORS" --out "$RUN" --warmup "$WARMUP" \
  --extra "jcluster-tcp=$TCP_PORT@$TCP_PID" --extra "jcluster-http=$HTTP_PORT@$HTTP_PID" "${TRANSPORT_EXTRAS[@]}" "${PASS[@]}" \
  || die "anchors.sh failed (run dir $RUN; balancer logs in $WORK)"
kill -0 "$TCP_PID" 2>/dev/null || die "the tcp balancer died during the run (log: $RUN/jcluster-tcp.log)"
kill -0 "$HTTP_PID" 2>/dev/null || die "the http balancer died during the run (log: $RUN/jcluster-http.log)"
JIT_SHARE=""
for i in "${!JC_NAMES[@]}"; do
  n=${JC_NAMES[$i]}
  JIT_SHARE+="${JIT_SHARE:+, }$n $(awk -v c=$(( $(proc_cpu_ns "${JC_PIDS[$i]}") - CPU_BEFORE[$n] )) \
    -v j=$(( $(jit_cpu_ns "${JC_PIDS[$i]}") - JIT_BEFORE[$n] )) 'BEGIN {printf "%.1f%%", (c > 0 ? 100 * j / c : 0)}')"
done
RSS_TCP=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$TCP_PID/status")
RSS_HTTP=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$HTTP_PID/status")
SUMMARY=$(bash "$ANCHORS" --summarize "$RUN")

# ---------------------------------------------------------------- the 2-core scaling table
SCALING_TABLE="" SCALING_COMMANDS=""
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "NA"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
wait_port() {   # wait_port PORT PID NAME LOG: until something listens on PORT (30 s), or the process is gone
  for _ in $(seq 300); do
    port_busy "$1" && return 0
    kill -0 "$2" 2>/dev/null || { cat "$4" >&2; die "$3 did not start (log above)"; }
    sleep 0.1
  done
  cat "$4" >&2; die "$3: nothing listens on port $1 after 30 s"
}
if [ "$SCALING" = 1 ]; then
  if [ "$(nproc)" -lt 2 ]; then log "no scaling table: it needs 2 CPUs, this machine has $(nproc)"; SCALING=0; fi
fi
if [ "$SCALING" = 1 ]; then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  log "scaling table: starting the backends (anchors.sh --backends-only)"
  BE1_PORT=$BE1_PORT BE2_PORT=$BE2_PORT bash "$ANCHORS" --backends-only 100000 --no-install --out "$RUN/scaling-backends" \
    > "$WORK/scaling-backends.log" 2>&1 &
  OTHER_PIDS+=($!)
  for _ in $(seq 300); do grep -q 'backends up' "$WORK/scaling-backends.log" && break; sleep 0.1; done
  grep -q 'backends up' "$WORK/scaling-backends.log" || { cat "$WORK/scaling-backends.log" >&2; die "scaling: backends did not come up"; }
  SCALE_NAMES=() SCALE_PIDS=() SCALE_PORTS=()
  port=$((HTTP_PORT + 7))
  for mode in $SCALING_MODES; do
    for cores in 1 2; do
      cpus=$([ "$cores" = 1 ] && echo 1 || echo 0,1)
      name="hap-$mode-${cores}core"
      extra=""
      [ "$mode" = http ] && extra="    option http-keep-alive
    http-reuse always
    timeout http-keep-alive 30s"
      cat > "$WORK/$name.cfg" <<HAP
global
    nbthread $cores
    maxconn $((SCALING_CONNS * 2 + 1000))
defaults
    mode $mode
    timeout connect 5s
    timeout client 60s
    timeout server 60s
$extra
frontend fe
    bind 127.0.0.1:$port
    default_backend be
backend be
    balance roundrobin
    server s1 127.0.0.1:$BE1_PORT
    server s2 127.0.0.1:$BE2_PORT
HAP
      taskset -c "$cpus" haproxy -db -f "$WORK/$name.cfg" > "$WORK/$name.log" 2>&1 &
      OTHER_PIDS+=($!); SCALE_NAMES+=("$name"); SCALE_PIDS+=($!); SCALE_PORTS+=("$port")
      SCALING_COMMANDS+="- $name: \`taskset -c $cpus haproxy -db -f $name.cfg\` (nbthread $cores, mode $mode, balance roundrobin)"$'\n'
      wait_port "$port" "$!" "$name" "$WORK/$name.log"
      port=$((port + 1))
      name="jcluster-$mode-${cores}core"
      # shellcheck disable=SC2086
      taskset -c "$cpus" "$JAVA" ${JVM_FLAGS[@]+"${JVM_FLAGS[@]}"} -XX:ActiveProcessorCount="$cores" -jar "$WORK/jcluster.jar" \
        balance --listen "127.0.0.1:$port" --backend "127.0.0.1:$BE1_PORT" --backend "127.0.0.1:$BE2_PORT" --mode "$mode" \
        --strategy "$STRATEGY" --event-loops "$cores" $BALANCE_OPTS > "$WORK/$name.log" 2>&1 &
      PIDS+=($!); SCALE_NAMES+=("$name"); SCALE_PIDS+=($!); SCALE_PORTS+=("$port")
      SCALING_COMMANDS+="- $name: \`taskset -c $cpus java ${JVM_FLAGS[*]} -XX:ActiveProcessorCount=$cores -jar jcluster.jar balance --mode $mode --strategy $STRATEGY --event-loops $cores ...\`"$'\n'
      wait_port "$port" "$!" "$name" "$WORK/$name.log"
      port=$((port + 1))
    done
  done
  if [ "$JIT_WARMUP" -gt 0 ]; then
    for i in "${!SCALE_NAMES[@]}"; do
      case ${SCALE_NAMES[$i]} in jcluster-*) ;; *) continue ;; esac
      log "scaling table: JIT warm-up of ${SCALE_NAMES[$i]}, ${JIT_WARMUP} s at $SCALING_CONNS connections"
      wrk -t"$SCALING_THREADS" -c"$SCALING_CONNS" -d"${JIT_WARMUP}s" --timeout 5s "http://127.0.0.1:${SCALE_PORTS[$i]}/" \
        > /dev/null 2>&1 || true
    done
  fi
  SCALE_LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  : > "$WORK/scaling.csv"
  for round in $(seq "$ROUNDS"); do
    for i in "${!SCALE_NAMES[@]}"; do
      name=${SCALE_NAMES[$i]} pid=${SCALE_PIDS[$i]} port=${SCALE_PORTS[$i]}
      kill -0 "$pid" 2>/dev/null || die "scaling: $name (pid $pid) died (log: $WORK/$name.log)"
      wrk -t"$SCALING_THREADS" -c"$SCALING_CONNS" -d"${WARMUP}s" --timeout 5s "http://127.0.0.1:$port/" > /dev/null 2>&1 || true
      before=$(proc_cpu_ns "$pid")
      wrk -t"$SCALING_THREADS" -c"$SCALING_CONNS" -d"${DURATION}s" --timeout 5s --latency "http://127.0.0.1:$port/" \
        > "$WORK/scaling-$name-$round.txt" 2>&1 || true
      after=$(proc_cpu_ns "$pid")
      awk -v name="$name" -v ns=$((after - before)) '
        /requests in/ {req = $1} /Requests\/sec/ {rps = $2}
        $1 == "99%" {v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else if (v ~ /s$/) v = v * 1000; p99 = v}
        /Socket errors|Non-2xx/ {err = 1}
        END {printf "%s %s %.3f %.2f %d\n", name, rps, p99, (req > 0 ? ns / 1000 / req : 0), err}' \
        "$WORK/scaling-$name-$round.txt" >> "$WORK/scaling.csv"
      log "scaling round $round: $(tail -1 "$WORK/scaling.csv")"
    done
  done
  SCALE_LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
  cp "$WORK"/scaling* "$RUN/" 2>/dev/null || true
  SCALING_TABLE="| proxy | mode | cores (taskset) | threads / event loops | rps | rps 2 cores / 1 core | p99 ms | proxy CPU µs/req | wrk errors |"$'\n'
  SCALING_TABLE+="|---|---|---|---|---|---|---|---|---|"$'\n'
  for mode in $SCALING_MODES; do
    for proxy in hap jcluster; do
      one=$(awk -v n="$proxy-$mode-1core" '$1 == n {print $2}' "$WORK/scaling.csv" | median)
      for cores in 1 2; do
        name="$proxy-$mode-${cores}core"
        rps=$(awk -v n="$name" '$1 == n {print $2}' "$WORK/scaling.csv" | median)
        p99=$(awk -v n="$name" '$1 == n {print $3}' "$WORK/scaling.csv" | median)
        cpu=$(awk -v n="$name" '$1 == n {print $4}' "$WORK/scaling.csv" | median)
        errs=$(awk -v n="$name" '$1 == n {s += $5} END {print s + 0}' "$WORK/scaling.csv")
        gain="" label="HAProxy (nbthread $cores)" cpus="-c 1"
        if [ "$cores" = 2 ]; then
          gain=$(awk -v a="$rps" -v b="$one" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "**%.2fx**", a / b}')
          cpus="-c 0,1"
        fi
        [ "$proxy" = hap ] || label="**jcluster** (event-loops $cores)"
        SCALING_TABLE+="| $label | $mode | $cores ($cpus) | $cores | $(awk -v r="$rps" 'BEGIN {printf (r ~ /^[0-9.]+$/) ? "%.0f" : "%s", r}') | $gain | $p99 | $cpu | $errs |"$'\n'
      done
    done
  done
fi

# ---------------------------------------------------------------- the markdown table
# summarize's rows: config conns n rps spread p50 p99 proxy-cpu spread backend machine hop rss busy runq other errors
TABLE=$(echo "$SUMMARY" | awk -v base="$([ -n "$BASELINE_JAR" ] && echo 1)" -v noflags="$NOFLAGS" '
  function label(c) {
    if (c == "direct") return "none (direct to one backend)"
    if (c == "hap-tcp-rr") return "HAProxy tcp (roundrobin, 1 thread)"
    if (c == "hap-tcp-lc") return "HAProxy tcp (leastconn, 1 thread)"
    if (c == "hap-http") return "HAProxy http (keep-alive + reuse)"
    if (c == "hap-http-lc") return "HAProxy http (leastconn)"
    if (c == "nginx") return "nginx (least_conn, keepalive 64)"
    if (c == "nginx-ka1024") return "nginx (keepalive 1024)"
    if (c == "extra:jcluster-tcp") return "**jcluster tcp**"
    if (c == "extra:jcluster-http") return "**jcluster http**"
    if (c == "extra:jcluster-tcp-epoll") return "jcluster tcp, transport=epoll"
    if (c == "extra:jcluster-http-epoll") return "jcluster http, transport=epoll"
    if (c == "extra:jcluster-tcp-base") return "jcluster tcp, baseline jar"
    if (c == "extra:jcluster-http-base") return "jcluster http, baseline jar"
    return c
  }
  function ratio(c, n,   ref) {
    ref = ""
    if (c ~ /^extra:jcluster-tcp/) ref = (("hap-tcp-rr," n) in cpu) ? "hap-tcp-rr" : "hap-tcp-lc"
    if (c ~ /^extra:jcluster-http/) ref = "hap-http"
    if (ref == "" || !((ref "," n) in cpu) || cpu[ref "," n] !~ /^[0-9.]+$/ || cpu[c "," n] !~ /^[0-9.]+$/ || cpu[ref "," n] == 0) return ""
    return sprintf("**%.2fx** %s", cpu[c "," n] / cpu[ref "," n], ref)
  }
  # issue 18 goals: proxy CPU per request <= 0.75x HAProxy (tcp) / 0.8x (http) at 50 and 200 connections,
  # <= 0.85x at 2,000 (the many point); p99 at or below that of HAProxy at every connection count
  function refof(c, n) {
    if (c ~ /^extra:jcluster-tcp/) return (("hap-tcp-rr," n) in cpu) ? "hap-tcp-rr" : "hap-tcp-lc"
    if (c ~ /^extra:jcluster-http/) return "hap-http"
    return ""
  }
  function goalx(c, n) { return n >= 2000 ? 0.85 : (c ~ /^extra:jcluster-tcp/ ? 0.75 : 0.80) }
  function goal(c, n,   ref) {
    if (c !~ /^extra:jcluster-(tcp|http)$/) return ""
    ref = refof(c, n)
    return sprintf("CPU <= %.2fx, p99 <= %s", goalx(c, n), ((ref "," n) in p99) ? p99[ref "," n] : "?")
  }
  function met(c, n,   ref, okc, okp, r) {
    if (c !~ /^extra:jcluster-(tcp|http)$/) return ""
    ref = refof(c, n)
    if (!((ref "," n) in cpu) || cpu[ref "," n] !~ /^[0-9.]+$/ || cpu[c "," n] !~ /^[0-9.]+$/ || cpu[ref "," n] == 0) return "no HAProxy row"
    r = cpu[c "," n] / cpu[ref "," n]
    okc = (sprintf("%.2f", r) + 0 <= goalx(c, n)); okp = (p99[c "," n] + 0 <= p99[ref "," n] + 0)
    goals++; if (okc) metgoals++
    goals++; if (okp) metgoals++
    return sprintf("CPU %s, p99 %s", okc ? "yes" : "**no**", okp ? "yes" : "**no**")
  }
  function vsbase(c, n,   ref) {
    if (c == "extra:jcluster-tcp") ref = "extra:jcluster-tcp-base"
    else if (c == "extra:jcluster-http") ref = "extra:jcluster-http-base"
    else return ""
    if (!((ref "," n) in cpu) || cpu[ref "," n] !~ /^[0-9.]+$/ || cpu[c "," n] !~ /^[0-9.]+$/ || cpu[ref "," n] == 0) return ""
    return sprintf("%+.1f%%", 100 * (cpu[c "," n] / cpu[ref "," n] - 1))
  }
  $2 ~ /^[0-9]+$/ && NF >= 17 {
    k = $1 "," $2; cfg[k] = $1; conns[k] = $2
    if ($1 !~ /-noflags$/) order[++nk] = k
    rps[k] = $4; p50[k] = $6; p99[k] = $7; cpu[k] = $8; rss[k] = $13; err[k] = $17
  }
  END {
    head = "| proxy | conns | rps | p50 ms | p99 ms | proxy CPU µs/req | CPU vs HAProxy | goal | met? |"
    rule = "|---|---|---|---|---|---|---|---|---|"
    if (base) { head = head " CPU vs baseline |"; rule = rule "---|" }
    if (noflags) { head = head " proxy RSS MiB | RSS no JVM flags MiB | errors |"; rule = rule "---|---|---|" }
    else { head = head " proxy RSS MiB | errors |"; rule = rule "---|---|" }
    print head
    print rule
    for (i = 1; i <= nk; i++) {
      k = order[i]
      printf "| %s | %s | %s | %s | %s | %s | %s |", label(cfg[k]), conns[k], rps[k], p50[k], p99[k],
        cpu[k] == "NA" ? "—" : cpu[k], ratio(cfg[k], conns[k])
      printf " %s | %s |", goal(cfg[k], conns[k]), met(cfg[k], conns[k])
      if (base) printf " %s |", vsbase(cfg[k], conns[k])
      printf " %s |", rss[k] == "NA" ? "—" : rss[k]
      if (noflags) printf " %s |", (cfg[k] ~ /^extra:jcluster-(tcp|http)$/ && ((cfg[k] "-noflags," conns[k]) in rss)) ? rss[cfg[k] "-noflags," conns[k]] : ""
      printf " %s |\n", err[k]
    }
    if (goals > 0) printf "\nGoals met: %d of %d (CPU and p99 per jcluster row above).\n", metgoals, goals
  }')

MACHINE="$(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), kernel $(uname -r)"
COMMAND="bench/compare.sh${ORIG_ARGS[*]:+ ${ORIG_ARGS[*]}}"
NOW=$(date -u +%Y-%m-%dT%H:%MZ)
SCALING_SECTION=""
if [ -n "$SCALING_TABLE" ]; then
  SCALING_SECTION=$(cat <<EOF
### Scaling: 1 core vs 2 cores (wrk -t$SCALING_THREADS -c$SCALING_CONNS, ${DURATION} s per run, rounds: $ROUNDS, medians)

$SCALING_TABLE
Each proxy pinned with taskset to CPU 1 (1 core) or CPUs 0,1 (2 cores); wrk and both nginx backends are not
pinned and share the same 2 CPUs, so no proxy can double its rps here: the table shows whether a proxy uses a
second core at all (a one-thread proxy stays near 1.0x) and at what CPU cost per request, beside HAProxy given the
same cores. Each jcluster balancer had ${JIT_WARMUP} s of wrk at $SCALING_CONNS connections before the rounds (JIT
warm-up, as for the rows above). Load average before/after: $SCALE_LOAD_BEFORE / $SCALE_LOAD_AFTER. Commands:

$SCALING_COMMANDS
EOF
)
fi
SECTION=$(cat <<EOF
## Balancer comparison $NOW (bench/compare.sh)

- machine: $MACHINE
- JDK: $JDK_LINE, flags \`${JVM_FLAGS[*]}\`
- jcluster: commit $COMMIT; \`$STARTUP_TCP\`; \`$STARTUP_HTTP\`; balancer RSS after the run: tcp $RSS_TCP MiB, http $RSS_HTTP MiB
- command: \`$COMMAND\` (anchors run dir $RUN)

$TABLE

CPU vs HAProxy = jcluster's proxy CPU µs/req divided by HAProxy's at the same connection count in the same run
(tcp vs hap-tcp-rr, http vs hap-http). RSS no JVM flags = peak RSS of the same balancer started as README shows it,
with no JVM flags at all (it picks its own on JDK 22+), measured in the same rounds. Proxy CPU per request is the figure that survives a noisy shared machine;
compare rps and p99 only within one run.

JIT warm-up before the measured runs: ${JIT_WARMUP} s per jcluster balancer (50, 200, 2,000 connections). JIT compiler
share = the part of each balancer's CPU over the whole anchors run that its C1/C2 compiler threads used (it is in
the proxy CPU column): $JIT_SHARE.

$SCALING_SECTION

<details><summary>anchors.sh summary</summary>

\`\`\`
$SUMMARY
\`\`\`
</details>
EOF
)

echo
echo "$SECTION"
if [ "$WRITE" = 1 ]; then
  printf '\n%s\n' "$SECTION" >> "$ROOT/bench/RESULTS.md"
  log "wrote a section to bench/RESULTS.md (docs/performance.md links it; README's headline table is updated by hand)"
fi
