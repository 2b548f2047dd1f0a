#!/usr/bin/env bash
# tls-h1.sh — HTTP/1.1 over TLS through jcluster's standalone balancer: tls-provider=openssl against tls-provider=jdk,
# side by side in one run (same nginx backend, same certificate, alternating rounds), with wrk (keep-alive: one
# handshake per connection, then records). Per run: rps and the balancer's CPU per request (on-CPU time of all its
# threads from /proc/PID/task/*/schedstat, as h2.sh); medians at the end, with the machine's load average.
#
# Usage: bench/tls-h1.sh [--rounds N (3)] [--duration S (10)] [--jit-warmup S (30)] [--connections N (50)]
#                        [--java PATH (Temurin 25 if installed)] [--jar PATH (agent/target/jcluster.jar)]
# Env: TLS_H1_BASE_PORT (18160: the backend, then the two balancers)
# Everything it starts is stopped by pid on exit. Traffic goes to 127.0.0.1 only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=3 DURATION=10 JIT_WARMUP=30 CONNECTIONS=50 JAVA="" JAR="$ROOT/agent/target/jcluster.jar"
BASE=${TLS_H1_BASE_PORT:-18160}
die() { echo "tls-h1: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] tls-h1: $*" >&2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --jit-warmup) JIT_WARMUP=${2:?}; shift 2 ;;
    --connections) CONNECTIONS=${2:?}; shift 2 ;;
    --java) JAVA=${2:?}; shift 2 ;;
    --jar) JAR=${2:?}; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
for tool in wrk nginx openssl; do command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y $tool)"; done
[ -f "$JAR" ] || die "no $JAR (mvn -B -q -DskipTests package)"
if [ -z "$JAVA" ]; then
  if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java; else JAVA=java; fi
fi
JVM_FLAGS=(-XX:+UseSerialGC -Xmx64m)
"$JAVA" -XshowSettings:properties -version 2>&1 | grep -q 'java.specification.version = 2[4-9]' \
  && JVM_FLAGS+=(--enable-native-access=ALL-UNNAMED)

WORK=$(mktemp -d /tmp/jcluster-tls-h1.XXXXXX)
cp "$JAR" "$WORK/jcluster.jar"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

BE=$BASE
declare -A PORT_OF=([openssl]=$((BASE + 1)) [jdk]=$((BASE + 2)))
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
    uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$BE; location / { return 200 "hello\n"; } }
}
EOF
nginx -c "$WORK/nginx.conf" -g 'daemon off;' > "$WORK/nginx.log" 2>&1 &
PIDS+=("$!")
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

declare -A PID_OF=()
for p in openssl jdk; do
  "$JAVA" "${JVM_FLAGS[@]}" -jar "$WORK/jcluster.jar" balance --listen "127.0.0.1:${PORT_OF[$p]}" \
    --backend "127.0.0.1:$BE" --mode http --http2 off --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" \
    --tls-provider "$p" > "$WORK/$p.log" 2>&1 &
  PID_OF[$p]=$! PIDS+=("$!")
done
for p in openssl jdk; do
  for _ in $(seq 100); do curl -sk -o /dev/null "https://127.0.0.1:${PORT_OF[$p]}/" && break; sleep 0.2; done
  curl -sk -o /dev/null "https://127.0.0.1:${PORT_OF[$p]}/" || die "$p does not answer (log: $WORK/$p.log)"
  log "$p: pid ${PID_OF[$p]}$(grep -m1 -o ', TLS by [^,]*' "$WORK/$p.log" || true)"
  wrk -t1 -c"$CONNECTIONS" -d"${JIT_WARMUP}s" "https://127.0.0.1:${PORT_OF[$p]}/" > /dev/null 2>&1 || true
done
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{r += $1} END {printf "%.0f", r}'; }
echo "provider,round,rps,requests,cpu_us_per_req,load1" > "$WORK/results.csv"
log "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  for p in openssl jdk; do
    c0=$(cpu_ns "${PID_OF[$p]}")
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "https://127.0.0.1:${PORT_OF[$p]}/" > "$WORK/$p-r$r.txt" 2>&1 || true
    c1=$(cpu_ns "${PID_OF[$p]}")
    row=$(awk -v p="$p" -v r="$r" -v c0="$c0" -v c1="$c1" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
      / requests in / { n = $1 } /^Requests\/sec:/ { rps = $2 }
      END { printf "%s,%s,%.0f,%d,%s,%s", p, r, rps, n, (n > 0) ? sprintf("%.2f", (c1 - c0) / 1000 / n) : "NA", load }' \
      "$WORK/$p-r$r.txt")
    echo "$row" >> "$WORK/results.csv"
    log "r$r $row"
  done
done
awk -F, 'NR > 1 { v[$1] = v[$1] " " $5; q[$1] = q[$1] " " $3 }
  function med(s,   n, a, i, j, t) { n = split(s, a, " "); for (i = 2; i <= n; i++) { t = a[i] + 0; j = i - 1
      while (j > 0 && a[j] + 0 > t) { a[j + 1] = a[j]; j-- } a[j + 1] = t } return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END { print "| tls-provider | rps | balancer CPU µs/req |"; print "|---|---:|---:|"
        for (p in v) printf "| %s | %.0f | %.1f |\n", p, med(q[p]), med(v[p])
        if (("openssl" in v) && ("jdk" in v)) printf "\nopenssl / jdk CPU per request: %.2f\n", med(v["openssl"]) / med(v["jdk"]) }' \
  "$WORK/results.csv"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); raw: $WORK"
