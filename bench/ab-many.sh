#!/usr/bin/env bash
# ab-many.sh — short A/B of jcluster balancer variants beside HAProxy at one connection count (issue 18's 2,000).
# Two loopback nginx backends (1 worker), HAProxy (nbthread 1, anchors.sh's hap-tcp-rr or hap-http config) and
# one standalone balancer per variant, all started ONCE and kept up (JIT warm); then rounds of wrk -t1 -cN runs
# alternating over the targets (HAProxy first in every round). Per run: rps, p99, and the proxy's on-CPU time
# (/proc/PID/task/*/schedstat, all threads) / requests; medians over rounds, and each variant's CPU ratio to
# HAProxy's in the same round (median of the per-round ratios). Load average before and after.
#
# Usage: bench/ab-many.sh [--mode tcp|http] [--conns 2000] [--duration 8] [--warmup 3] [--rounds 3]
#                         [--jit-warmup 10 (seconds of load per target before the rounds; C2 still compiled
#                          through the first two rounds after 10 s at 2,000 connections on a loaded machine)]
#                         [--header "Connection: close" (a new connection per request: the per-connection cost)]
#                         [--port-base 21100] [--be-ports "21081 21082"] [--hap-port 21090]
#                         NAME=JAR[,JVM OPTIONS...] ...
#   e.g. bench/ab-many.sh main=/tmp/main.jar new=agent/target/jcluster.jar new-ring128=agent/target/jcluster.jar,-Dx=1
# Every process is started by pid and stopped by pid on exit. Traffic goes to 127.0.0.1 only.
set -euo pipefail
JIT_WARMUP=10 WRK_ARGS=() MODE=tcp CONNS=2000 DURATION=8 WARMUP=3 ROUNDS=3 PORT_BASE=21100 BE_PORTS="21081 21082" HAP_PORT=21090
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1)}; JAVA=${JAVA:-java}
VARIANTS=()
while [ $# -gt 0 ]; do case "$1" in
  --mode) MODE=$2; shift 2 ;; --conns) CONNS=$2; shift 2 ;; --duration) DURATION=$2; shift 2 ;;
  --warmup) WARMUP=$2; shift 2 ;; --jit-warmup) JIT_WARMUP=$2; shift 2 ;; --rounds) ROUNDS=$2; shift 2 ;; --port-base) PORT_BASE=$2; shift 2 ;;
  --be-ports) BE_PORTS=$2; shift 2 ;; --header) WRK_ARGS+=(-H "$2"); shift 2 ;; --hap-port) HAP_PORT=$2; shift 2 ;;
  -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
  *=*) VARIANTS+=("$1"); shift ;; *) echo "unknown option $1" >&2; exit 2 ;; esac; done
read -r BE1 BE2 <<< "$BE_PORTS"
RUN=$(mktemp -d /tmp/ab-many.XXXX); chmod 755 "$RUN"; mkdir -p "$RUN/tmp"; chmod 777 "$RUN/tmp"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
ulimit -n 20000 2>/dev/null || true
. "$(dirname "$0")/lib/nginx-backends.sh"
start_nginx_backends "$RUN" "$BE1" "$BE2"
extra=""; [ "$MODE" = http ] && extra="    option http-keep-alive
    http-reuse always
    timeout http-keep-alive 30s"
cat > "$RUN/hap.cfg" <<EOF
global
    nbthread 1
    maxconn 9500
defaults
    mode $MODE
    timeout connect 5s
    timeout client 60s
    timeout server 60s
$extra
frontend fe
    bind 127.0.0.1:$HAP_PORT
    default_backend be
backend be
    balance roundrobin
    server s1 127.0.0.1:$BE1
    server s2 127.0.0.1:$BE2
EOF
haproxy -db -f "$RUN/hap.cfg" > "$RUN/hap.log" 2>&1 & HAP_PID=$!; PIDS+=($HAP_PID)
NAMES=(haproxy) PORTS=($HAP_PORT) TPIDS=($HAP_PID)
i=0
for v in "${VARIANTS[@]}"; do
  name=${v%%=*} spec=${v#*=}
  jar=${spec%%,*} opts=""; [ "$spec" != "$jar" ] && opts=${spec#*,}; opts=${opts//,/ }
  cp "$jar" "$RUN/$name.jar"
  port=$((PORT_BASE + i)); i=$((i + 1))
  # shellcheck disable=SC2086
  "$JAVA" -XX:+UseSerialGC -Xmx64m --enable-native-access=ALL-UNNAMED $opts -jar "$RUN/$name.jar" balance \
    --listen "127.0.0.1:$port" --backend "127.0.0.1:$BE1" --backend "127.0.0.1:$BE2" --mode "$MODE" \
    --strategy round-robin > "$RUN/$name.log" 2>&1 & PIDS+=($!)
  NAMES+=("$name") PORTS+=("$port") TPIDS+=($!)
  echo "$name: port $port pid $! opts '$opts' jar $jar"
done
for t in "${!NAMES[@]}"; do
  for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:${PORTS[$t]}/" && break; sleep 0.2; done
done
# user and system CPU ticks of the whole process (/proc/PID/stat fields 14 and 15): the split of the above
ticks() { awk '{print $14, $15}' /proc/"$1"/stat 2>/dev/null || echo "0 0"; }
# on-CPU ns per thread name ("C2 CompilerThre", "VM Thread", an event loop ...), one "name ns" line each
threads_ns() { for t in /proc/"$1"/task/*; do printf '%s %s\n' "$(tr ' ' '_' < "$t/comm")" "$(cut -d' ' -f1 "$t/schedstat")"; done 2>/dev/null |
  awk '{n[$1]+=$2} END{for (k in n) print k, n[k]}' | sort; }
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{r+=$1} END{printf "%.0f", r}'; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for t in "${!NAMES[@]}"; do  # JIT warm-up, once per JVM
  wrk -t1 -c"$CONNS" -d"${JIT_WARMUP}s" ${WRK_ARGS[@]+"${WRK_ARGS[@]}"} "http://127.0.0.1:${PORTS[$t]}/" > /dev/null 2>&1 || true
done
echo "round target rps p99ms cpu_us_per_req ratio_to_haproxy user_us_per_req sys_us_per_req" > "$RUN/results"
for r in $(seq "$ROUNDS"); do
  hap_us=""
  for t in "${!NAMES[@]}"; do
    url="http://127.0.0.1:${PORTS[$t]}/"
    wrk -t1 -c"$CONNS" -d"${WARMUP}s" ${WRK_ARGS[@]+"${WRK_ARGS[@]}"} "$url" > /dev/null 2>&1 || true
    threads_ns "${TPIDS[$t]}" > "$RUN/threads.before"; before=$(cpu_ns "${TPIDS[$t]}"); read -r ub sb <<< "$(ticks "${TPIDS[$t]}")"
    wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency ${WRK_ARGS[@]+"${WRK_ARGS[@]}"} "$url" > "$RUN/wrk.$r.${NAMES[$t]}" 2>&1
    after=$(cpu_ns "${TPIDS[$t]}"); threads_ns "${TPIDS[$t]}" > "$RUN/threads.after"; read -r ua sa <<< "$(ticks "${TPIDS[$t]}")"
    reqs=$(awk '/requests in/ {print $1}' "$RUN/wrk.$r.${NAMES[$t]}")
    rps=$(awk '/Requests\/sec/ {print $2}' "$RUN/wrk.$r.${NAMES[$t]}")
    p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$RUN/wrk.$r.${NAMES[$t]}")
    us=$(awk -v a="$after" -v b="$before" -v n="$reqs" 'BEGIN{printf "%.2f", (a-b)/1000/n}')
    hz=$(getconf CLK_TCK)
    user_us=$(awk -v a="$ua" -v b="$ub" -v n="$reqs" -v hz="$hz" 'BEGIN{printf "%.2f", (a-b)*1e6/hz/n}')
    sys_us=$(awk -v a="$sa" -v b="$sb" -v n="$reqs" -v hz="$hz" 'BEGIN{printf "%.2f", (a-b)*1e6/hz/n}')
    [ "$t" = 0 ] && hap_us=$us
    ratio=$(awk -v a="$us" -v h="$hap_us" 'BEGIN{printf "%.3f", a/h}')
    echo "$r ${NAMES[$t]} $rps $p99 $us $ratio $user_us $sys_us" | tee -a "$RUN/results"
    # the threads that used more than 2% of the run's CPU, in us per request (the per-thread split of cpu_us_per_req)
    join -a2 "$RUN/threads.before" "$RUN/threads.after" | awk -v n="$reqs" -v tot="$us" '{d=($3==""?$2:$3-$2)/1000/n; if (d > tot*0.02) printf "    %s %.2f", $1, d} END{print ""}' \
      | tee -a "$RUN/threads"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "medians over $ROUNDS rounds (mode $MODE, c=$CONNS, ${DURATION}s runs), run dir $RUN:"
for n in "${NAMES[@]}"; do
  awk -v n="$n" '$2==n {rps[++k]=$3; p[k]=$4; u[k]=$5; q[k]=$6; us[k]=$7; sy[k]=$8}
    function med(a, k,  i,j,t) { for(i=1;i<=k;i++) for(j=i+1;j<=k;j++) if (a[j]<a[i]) {t=a[i];a[i]=a[j];a[j]=t}
      return (k%2) ? a[(k+1)/2] : (a[k/2]+a[k/2+1])/2 }
    END { printf "%-22s rps %8.0f  p99 %7.2f ms  cpu %6.2f us/req  vs haproxy %.3fx  user %5.2f sys %5.2f us/req\n", n, med(rps,k), med(p,k), med(u,k), med(q,k), med(us,k), med(sy,k) }' "$RUN/results"
done
