#!/usr/bin/env bash
# h2.sh — HTTP/2 termination: jcluster's standalone balancer next to HAProxy's, with h2load, one run, same backends.
#
# The two nginx HTTP/1.1 backends are ../shared/bench/anchors.sh's own (started with its --backends-only, on
# 127.0.0.1:$BE1_PORT/$BE2_PORT, stopped by it). In front of them, all up during the whole run:
#   hap-h2-tls   HAProxy 'bind ... ssl crt ... alpn h2,http/1.1', mode http, keep-alive + http-reuse always,
#                roundrobin, nbthread 1 (as anchors' hap-http)
#   hap-h2c      HAProxy 'bind ... proto h2' (h2c with prior knowledge), otherwise the same
#   jc-h2-tls    java -jar jcluster.jar balance --mode http --tls-cert ... (http2 on by default with TLS)
#   jc-h2c       java -jar jcluster.jar balance --mode http --http2 on (h2c with prior knowledge)
#   jc-h2c-old   the same with --baseline-jar's jar (an A/B of two builds in one run; only when named in --configs)
#   jc-h2-tls-old  jc-h2-tls with --baseline-jar's jar (likewise)
#   jc-h2-tls-jdk  jc-h2-tls with --tls-provider jdk (the JDK's TLS instead of OpenSSL's; not in the default list)
# Each round measures them alternating (hap-h2-tls jc-h2-tls hap-h2c jc-h2c), each run after an unmeasured warm-up
# with the same h2load load. Per run: rps, mean/max request time, failed+errored requests, the proxy's CPU per
# request (on-CPU time of all its threads from /proc/PID/task/*/schedstat, as anchors.sh/compare.sh), peak RSS, and
# the machine's busy share and load average (the machine is shared: compare ratios within one run).
# Medians per config go to a markdown table; with --write it is appended to bench/RESULTS.md as a new section.
#
# Usage: bench/h2.sh [options]
#   --rounds N        alternating rounds (default 3)
#   --duration S      h2load -D seconds per measured run (default 10)
#   --warmup S        unmeasured h2load load before each run (default 5)
#   --jit-warmup S    once, after start: h2load load on each jcluster balancer (default 60; the JIT's first minute; what it
#                     still compiles later is measured too: "of it JIT compiler")
#   --clients N       h2load -c (default 50)
#   --streams N       h2load -m, concurrent streams per connection (default 10)
#   --configs LIST    comma list (default hap-h2-tls,jc-h2-tls,hap-h2c,jc-h2c)
#   --java PATH       java for jcluster (default: Temurin 25 if installed, else java)
#   --jvm-opts "..."  jcluster's JVM options (default "-XX:+UseSerialGC -Xmx64m", as compare.sh)
#   --jar PATH        the jcluster.jar to measure (default agent/target/jcluster.jar, built if missing)
#   --baseline-jar PATH  the jar of configs jc-h2c-old and jc-h2-tls-old (e.g. main's build, to compare with --jar's alternately)
#   --write           append the section to bench/RESULTS.md
#   --table CSV       only print the table of an earlier run's results.csv (measures nothing)
# Env: BE1_PORT BE2_PORT (18081 18082, anchors'), H2_BASE_PORT (18120: the proxies on 18120..18125)
#
# Everything it starts (anchors.sh's backends, the two HAProxies, the two balancers) is started by pid and stopped
# by pid on exit, Ctrl-C or SIGTERM. Traffic goes to 127.0.0.1 only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ANCHORS="$ROOT/../shared/bench/anchors.sh"
[ -f "$ANCHORS" ] || ANCHORS=/work/shared/bench/anchors.sh
ROUNDS=3 DURATION=10 WARMUP=5 JIT_WARMUP=60 CLIENTS=50 STREAMS=10 WRITE=0 JAVA="" JVM_OPTS="-XX:+UseSerialGC -Xmx64m" JAR="" BASELINE_JAR=""
CONFIGS="hap-h2-tls,jc-h2-tls,hap-h2c,jc-h2c"
BE1_PORT=${BE1_PORT:-18081} BE2_PORT=${BE2_PORT:-18082} BASE_PORT=${H2_BASE_PORT:-18120}
ORIG_ARGS=("$@")
TABLE_ONLY=""

die() { echo "h2: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] h2: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --warmup) WARMUP=${2:?}; shift 2 ;;
    --jit-warmup) JIT_WARMUP=${2:?}; shift 2 ;;
    --clients) CLIENTS=${2:?}; shift 2 ;;
    --streams) STREAMS=${2:?}; shift 2 ;;
    --configs) CONFIGS=${2:?}; shift 2 ;;
    --java) JAVA=${2:?}; shift 2 ;;
    --jvm-opts) JVM_OPTS=${2?}; shift 2 ;;
    --jar) JAR=${2:?}; shift 2 ;;
    --baseline-jar) BASELINE_JAR=${2:?}; shift 2 ;;
    --write) WRITE=1; shift ;;
    --table) TABLE_ONLY=${2:?}; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

table() {   # table CSV: the markdown table of a run's results.csv
  awk -F, '
  function med(s,   n, a, i, j, t) {
    n = split(s, a, " "); if (n == 0) return "NA"
    for (i = 2; i <= n; i++) { t = a[i] + 0; j = i - 1; while (j > 0 && a[j] + 0 > t) { a[j + 1] = a[j]; j-- } a[j + 1] = t }
    return (n % 2) ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  function range(s,   n, a, i, lo, hi) {
    n = split(s, a, " "); lo = hi = a[1] + 0
    for (i = 2; i <= n; i++) { if (a[i] + 0 < lo) lo = a[i] + 0; if (a[i] + 0 > hi) hi = a[i] + 0 }
    return sprintf("%.0f-%.0f", lo, hi)
  }
  function label(c) {
    if (c == "hap-h2-tls") return "HAProxy 2.6 h2 over TLS (alpn h2,http/1.1)"
    if (c == "jc-h2-tls") return "**jcluster h2 over TLS** (tls-cert)"
    if (c == "hap-h2c") return "HAProxy 2.6 h2c (proto h2)"
    if (c == "jc-h2c") return "**jcluster h2c** (http2=on)"
    if (c == "jc-h2c-old") return "jcluster h2c, --baseline-jar"
    if (c == "jc-h2-tls-old") return "jcluster h2 over TLS, --baseline-jar"
    if (c == "jc-h2-tls-jdk") return "**jcluster h2 over TLS, JDK provider** (tls-provider=jdk)"
    return c
  }
  NR > 1 { if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
           rps[$1] = rps[$1] " " $3; mean[$1] = mean[$1] " " $4; mx[$1] = mx[$1] " " $5; cpu[$1] = cpu[$1] " " $9
           rss[$1] = rss[$1] " " $10; busy[$1] = busy[$1] " " $11; err[$1] += $7 + $8; reqs[$1] += $6
           jit[$1] = jit[$1] " " (($13 ~ /^[0-9.]+$/) ? $13 : 0); nojit[$1] = nojit[$1] " " ($9 - (($13 ~ /^[0-9.]+$/) ? $13 : 0)) }
  END {
    print "| proxy | rps | mean ms | max ms | proxy CPU µs/req | (min-max) | CPU vs HAProxy | of it JIT compiler | without JIT vs HAProxy | peak RSS MiB | machine busy % | failed+errored / done |"
    print "|---|---|---|---|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      c = order[i]; ratio = ""
      ref = (c ~ /^jc-h2-tls/) ? "hap-h2-tls" : (c == "jc-h2c" || c == "jc-h2c-old") ? "hap-h2c" : ""
      nratio = ""
      if (ref != "" && (ref in cpu) && med(cpu[ref]) > 0) ratio = sprintf("**%.2fx**", med(cpu[c]) / med(cpu[ref]))
      if (ref != "" && (ref in cpu) && med(cpu[ref]) > 0) nratio = sprintf("%.1f µs/req, %.2fx", med(nojit[c]), med(nojit[c]) / med(cpu[ref]))
      printf "| %s | %.0f | %.2f | %.1f | %.1f | %s | %s | %.1f | %s | %.0f | %.0f | %d / %d |\n", label(c), med(rps[c]), med(mean[c]),
        med(mx[c]), med(cpu[c]), range(cpu[c]), ratio, med(jit[c]), nratio, med(rss[c]), med(busy[c]), err[c], reqs[c]
    }
  }' "$1"
}
if [ -n "$TABLE_ONLY" ]; then table "$TABLE_ONLY"; exit 0; fi

for tool in h2load:nghttp2-client haproxy:haproxy nginx:nginx openssl:openssl ss:iproute2 curl:curl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || die "${tool%%:*} is missing (apt-get install -y ${tool#*:})"
done
[ -f "$ANCHORS" ] || die "anchors.sh not found (../shared/bench/anchors.sh)"
if [ -z "$JAVA" ]; then
  if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java; else JAVA=java; fi
fi
JDK_LINE=$("$JAVA" -version 2>&1 | grep -m1 -i 'runtime environment' || "$JAVA" -version 2>&1 | head -1)
JDK_FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
JVM_FLAGS=($JVM_OPTS)
if [ "${JDK_FEATURE%%.*}" -ge 24 ] 2>/dev/null; then JVM_FLAGS+=(--enable-native-access=ALL-UNNAMED); fi

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
port_busy() { ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }
declare -A PORT_OF=([hap-h2-tls]=$BASE_PORT [jc-h2-tls]=$((BASE_PORT + 1)) [hap-h2c]=$((BASE_PORT + 2)) [jc-h2c]=$((BASE_PORT + 3))
  [jc-h2c-old]=$((BASE_PORT + 4)) [jc-h2-tls-jdk]=$((BASE_PORT + 5)) [jc-h2-tls-old]=$((BASE_PORT + 6)))
for p in "$BE1_PORT" "$BE2_PORT" "${PORT_OF[@]}"; do
  port_busy "$p" && die "port $p is in use ($(ss -Htlnp "sport = :$p" | head -1)); is another benchmark running?"
done

if [ -z "$JAR" ]; then
  JAR="$ROOT/agent/target/jcluster.jar"
  if [ ! -f "$JAR" ]; then log "building agent/target/jcluster.jar"; (cd "$ROOT" && mvn -B -q -DskipTests package -pl agent -am) || die "build failed"; fi
fi
WORK=$(mktemp -d /tmp/jcluster-h2.XXXXXX)
cp "$JAR" "$WORK/jcluster.jar"   # a rebuild under a running JVM crashes it
if [ -n "$BASELINE_JAR" ]; then cp "$BASELINE_JAR" "$WORK/jcluster-old.jar"; fi
COMMIT=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(cd "$ROOT" && git status --porcelain --untracked-files=no -- agent bootstrap pom.xml 2>/dev/null)" ] || COMMIT="$COMMIT (+ uncommitted changes)"

PIDS=() ANCHORS_PID=""
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  trap '' INT TERM
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [ -n "$ANCHORS_PID" ]; then   # anchors.sh stops its backends on TERM, once its 'sleep' child returns
    kill -TERM "$ANCHORS_PID" 2>/dev/null || true
    for pid in $(pgrep -P "$ANCHORS_PID" -x sleep || true); do kill -TERM "$pid" 2>/dev/null || true; done
    stop_pid "$ANCHORS_PID"
  fi
  rm -f "$WORK/jcluster.jar" "$WORK/jcluster-old.jar"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- backends: anchors.sh's
HOLD=$(( (ROUNDS * 4 * (DURATION + WARMUP + 6)) + 300 ))
BE1_PORT=$BE1_PORT BE2_PORT=$BE2_PORT bash "$ANCHORS" --no-install --out "$WORK/anchors" --backends-only "$HOLD" \
  > "$WORK/anchors.log" 2>&1 &
ANCHORS_PID=$!
for _ in $(seq 100); do grep -q 'backends up' "$WORK/anchors.log" && break; kill -0 "$ANCHORS_PID" 2>/dev/null || break; sleep 0.2; done
grep -q 'backends up' "$WORK/anchors.log" || { cat "$WORK/anchors.log" >&2; die "anchors.sh did not start the backends"; }
log "$(grep -m1 'backends up' "$WORK/anchors.log" | sed 's/^\[[^]]*\] //')"

# ---------------------------------------------------------------- a certificate for both
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
cat "$WORK/cert.pem" "$WORK/key.pem" > "$WORK/haproxy.pem"

# ---------------------------------------------------------------- HAProxy, the same as anchors' hap-http + h2 binds
write_hap() {   # write_hap NAME BIND-LINE
  cat > "$WORK/$1.cfg" <<EOF
global
    nbthread 1
    maxconn 4000
    tune.ssl.default-dh-param 2048
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
    http-reuse always
    timeout http-keep-alive 30s
frontend fe
    $2
    default_backend be
backend be
    balance roundrobin
    server s1 127.0.0.1:$BE1_PORT
    server s2 127.0.0.1:$BE2_PORT
EOF
  haproxy -c -q -f "$WORK/$1.cfg" || die "bad haproxy config $1"
}
write_hap hap-h2-tls "bind 127.0.0.1:${PORT_OF[hap-h2-tls]} ssl crt $WORK/haproxy.pem alpn h2,http/1.1"
write_hap hap-h2c "bind 127.0.0.1:${PORT_OF[hap-h2c]} proto h2"

declare -A PID_OF=()
wait_h2() {     # wait_h2 NAME URL: until h2load gets one 2xx
  for _ in $(seq 300); do
    h2load -n 1 -c 1 "$2" 2>/dev/null | grep -q '1 succeeded' && return 0
    sleep 0.1
  done
  die "$1 does not answer h2 at $2 (log: $WORK/$1.log)"
}
url_of() { case "$1" in *tls|*tls-jdk|*tls-old) echo "https://127.0.0.1:${PORT_OF[$1]}/" ;; *) echo "http://127.0.0.1:${PORT_OF[$1]}/" ;; esac; }
start() {       # start NAME
  local name=$1
  case "$name" in
    hap-*) haproxy -db -f "$WORK/$name.cfg" > "$WORK/$name.log" 2>&1 & ;;
    jc-h2-tls|jc-h2-tls-jdk|jc-h2-tls-old)
               provider=(); [ "$name" = jc-h2-tls-jdk ] && provider=(--tls-provider jdk)
               jar="$WORK/jcluster.jar"
               if [ "$name" = jc-h2-tls-old ]; then
                 [ -f "$WORK/jcluster-old.jar" ] || die "jc-h2-tls-old needs --baseline-jar"; jar="$WORK/jcluster-old.jar"
               fi
               "$JAVA" "${JVM_FLAGS[@]}" -jar "$jar" balance --listen "127.0.0.1:${PORT_OF[$name]}" \
                 --backend "127.0.0.1:$BE1_PORT" --backend "127.0.0.1:$BE2_PORT" --mode http --strategy round-robin \
                 --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" "${provider[@]}" > "$WORK/$name.log" 2>&1 & ;;
    jc-h2c) "$JAVA" "${JVM_FLAGS[@]}" -jar "$WORK/jcluster.jar" balance --listen "127.0.0.1:${PORT_OF[$name]}" \
                 --backend "127.0.0.1:$BE1_PORT" --backend "127.0.0.1:$BE2_PORT" --mode http --strategy round-robin \
                 --http2 on > "$WORK/$name.log" 2>&1 & ;;
    jc-h2c-old) [ -f "$WORK/jcluster-old.jar" ] || die "jc-h2c-old needs --baseline-jar"
               "$JAVA" "${JVM_FLAGS[@]}" -jar "$WORK/jcluster-old.jar" balance --listen "127.0.0.1:${PORT_OF[$name]}" \
                 --backend "127.0.0.1:$BE1_PORT" --backend "127.0.0.1:$BE2_PORT" --mode http --strategy round-robin \
                 --http2 on > "$WORK/$name.log" 2>&1 & ;;
    *) die "unknown config $name" ;;
  esac
  PID_OF[$name]=$!
  PIDS+=("$!")
  wait_h2 "$name" "$(url_of "$name")"
  log "$name: pid ${PID_OF[$name]} on $(url_of "$name")$(grep -m1 -o ', TLS by [^,]*' "$WORK/$name.log" || true)"
}
IFS=, read -r -a CFGS <<< "$CONFIGS"
for c in "${CFGS[@]}"; do start "$c"; done
for c in "${CFGS[@]}"; do
  case "$c" in jc-*) log "$c: ${JIT_WARMUP}s of JIT warm-up"; h2load -t 1 -c "$CLIENTS" -m "$STREAMS" -D "$JIT_WARMUP" "$(url_of "$c")" > /dev/null 2>&1 || true ;; esac
done

cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{r += $1} END {printf "%.0f", r}'; }
jit_ns() {      # on-CPU time of the JVM's JIT compiler threads (none for HAProxy)
  local t r=0 v
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in
      C1\ Compiler*|C2\ Compiler*) v=$(awk '{printf "%.0f", $1}' "$t/schedstat" 2>/dev/null) || v=0; r=$((r + ${v:-0})) ;;
    esac
  done
  echo "$r"
}
rss_kb() { awk '/^VmRSS:/ {print $2}' /proc/"$1"/status 2>/dev/null || echo 0; }
machine() { awk '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6; exit}' /proc/stat; }

CSV="$WORK/results.csv"
echo "config,round,rps,mean_ms,max_ms,done,failed,errored,cpu_us_per_req,rss_mib,busy_pct,load1,jit_us_per_req" > "$CSV"
H2LOAD=(h2load -t 1 -c "$CLIENTS" -m "$STREAMS")
log "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $ROUNDS rounds x ${#CFGS[@]} configs, ${DURATION}s each"
for r in $(seq "$ROUNDS"); do
  for c in "${CFGS[@]}"; do
    pid=${PID_OF[$c]} url=$(url_of "$c") raw="$WORK/$c-r$r.txt"
    "${H2LOAD[@]}" -D "$WARMUP" "$url" > /dev/null 2>&1 || true
    c0=$(cpu_ns "$pid"); j0=$(jit_ns "$pid"); m0=$(machine)
    "${H2LOAD[@]}" -D "$DURATION" "$url" > "$raw" 2>&1 &
    hp=$!; rss=0
    while kill -0 "$hp" 2>/dev/null; do v=$(rss_kb "$pid"); [ "${v:-0}" -gt "$rss" ] && rss=$v; sleep 1; done
    wait "$hp" || true
    c1=$(cpu_ns "$pid"); j1=$(jit_ns "$pid"); m1=$(machine); load=$(cut -d' ' -f1 /proc/loadavg)
    row=$(awk -v c="$c" -v r="$r" -v c0="$c0" -v c1="$c1" -v m0="$m0" -v m1="$m1" -v rss="$rss" -v load="$load" -v jit="$((j1 - j0))" '
      /^finished in/ { rps = $4 }
      /^requests:/ { done = $6; failed = $10; errored = $12 }
      /^time for request:/ { mx = $5; mean = $6 }
      function ms(v) { if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000; if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0; if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000; return "NA" }
      END { split(m0, a, " "); split(m1, b, " "); t = b[1] - a[1]; i = b[2] - a[2]
            printf "%s,%s,%s,%.3f,%.1f,%s,%s,%s,%s,%.1f,%.0f,%s,%s", c, r, rps, ms(mean), ms(mx), done + 0, failed + 0, errored + 0,
              (done > 0) ? sprintf("%.2f", (c1 - c0) / 1000 / done) : "NA", rss / 1024, (t > 0) ? 100 * (t - i) / t : 0, load,
              (done > 0) ? sprintf("%.2f", jit / 1000 / done) : "NA" }' "$raw")
    echo "$row" >> "$CSV"
    echo "$row" | awk -F, '{printf "  r%s %-11s rps=%-9s mean=%sms max=%sms done=%s failed=%s errored=%s proxy=%sus/req (jit %s) rss=%sMiB busy=%s%% load1=%s\n", $2, $1, $3, $4, $5, $6, $7, $8, $9, $13, $10, $11, $12}' >&2
  done
done

TABLE=$(table "$CSV")

SECTION=$(cat <<EOF
## HTTP/2 termination beside HAProxy $(date -u +%Y-%m-%dT%H:%MZ) (bench/h2.sh)

- machine: $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), kernel $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg) (the run's own load included)
- JDK: $JDK_LINE, flags \`${JVM_FLAGS[*]}\`; jcluster commit $COMMIT
- $(haproxy -v | head -1 | cut -d' ' -f1-3), nbthread 1; backends: anchors.sh's 2 nginx (HTTP/1.1, keep-alive)
- load: \`${H2LOAD[*]} -D $DURATION URL\` after a ${WARMUP} s warm-up (jcluster: ${JIT_WARMUP} s once at start for the JIT), $ROUNDS alternating rounds ($(h2load --version | head -1)), medians
- command: \`bench/h2.sh${ORIG_ARGS[*]:+ ${ORIG_ARGS[*]}}\`

$TABLE

proxy CPU µs/req = on-CPU time of all the proxy's threads (/proc/PID/task/*/schedstat) / requests h2load completed.
CPU vs HAProxy = jcluster's divided by HAProxy's with the same transport (TLS or h2c), same run. "of it JIT compiler" =
the part spent by the JVM's C1/C2 compiler threads during the run (still compiling after the warm-up; zero once a
long-running balancer has settled); "without JIT" leaves it out.
EOF
)
echo
echo "$SECTION"
echo
echo "raw: $WORK (h2load output per run, results.csv)"
if [ "$WRITE" = 1 ]; then
  printf '\n%s\n' "$SECTION" >> "$ROOT/bench/RESULTS.md"
  log "appended a section to bench/RESULTS.md"
fi
