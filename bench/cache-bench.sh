#!/usr/bin/env bash
# cache-bench.sh — jcluster's response cache (cache=) next to nginx proxy_cache: cached hits only, same backend,
# same client, same run, same method as ../shared/bench/anchors.sh (proxy CPU = on-CPU time of all the proxy's
# threads from /proc/PID/task/*/schedstat, divided by the requests wrk completed).
#
# Starts one nginx backend on 127.0.0.1:$BE_PORT serving /1k and /100k (static files, Cache-Control: public,
# max-age=3600, access log on so that the backend requests can be counted), nginx with proxy_cache in front of it
# (worker_processes 1, upstream keepalive 64, cache on disk under the run directory as proxy_cache keeps it), and the
# jcluster standalone balancer (java -jar jcluster.jar balance --mode http --cache 32m). Warms each proxy until it
# answers each URL from its cache, then runs wrk against each (proxy, size) pair, alternating (A B C D A B C D ...),
# ROUNDS rounds, and prints the medians. A run during which the backend was asked anything is flagged (it would not be
# a hit-only run). Writes a dated section into bench/RESULTS.md unless --no-write.
#
# Usage: bench/cache-bench.sh [--rounds N] [--duration S] [--conns N] [--java PATH] [--balance-opts "..."] [--no-write]
# Everything it starts is stopped by pid on exit (also on Ctrl-C). Traffic goes to 127.0.0.1 only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=3 DURATION=10 WARMUP=3 CONNS=50 WRITE=1 JAVA="" JC_OPTS=""
BE_PORT=${BE_PORT:-18281} NGINX_PORT=${NGINX_PORT:-18282} JC_PORT=${JC_PORT:-18283}
JVM_OPTS="-XX:+UseSerialGC -Xmx64m"

die() { echo "cache-bench: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] cache-bench: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --conns) CONNS=${2:?}; shift 2 ;;
    --java) JAVA=${2:?}; shift 2 ;;
    --balance-opts) JC_OPTS=${2?}; shift 2 ;;
    --no-write) WRITE=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
if [ -z "$JAVA" ]; then
  if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java; else JAVA=java; fi
fi
JVM_FLAGS=($JVM_OPTS)
JAVA_VERSION=$("$JAVA" -version 2>&1 | head -1)
case "$JAVA_VERSION" in *'version "2'[4-9]*) JVM_FLAGS+=(--enable-native-access=ALL-UNNAMED) ;; esac
for tool in nginx wrk; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[ -f "$ROOT/agent/target/jcluster.jar" ] || die "build first: mvn -B -q -DskipTests package"

RUN=$(mktemp -d /tmp/cache-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for f in "$RUN"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$RUN/www" "$RUN/tmp" "$RUN/cache"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$RUN/www/1k"
head -c 102400 /dev/urandom | base64 -w0 | head -c 102400 > "$RUN/www/100k"
cp "$ROOT/agent/target/jcluster.jar" "$RUN/jcluster.jar"
# nginx's workers run as an unprivileged user when it is started as root: they must read the files and write the cache
chmod 755 "$RUN" "$RUN/www"; chmod 644 "$RUN/www/1k" "$RUN/www/100k"; chmod 777 "$RUN/cache" "$RUN/tmp"

common_http() {
  cat <<EOF
  client_body_temp_path $RUN/tmp/$1-body; proxy_temp_path $RUN/tmp/$1-proxy;
  fastcgi_temp_path $RUN/tmp/$1-fcgi; uwsgi_temp_path $RUN/tmp/$1-uwsgi; scgi_temp_path $RUN/tmp/$1-scgi;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
  default_type application/octet-stream;
EOF
}
cat > "$RUN/be.conf" <<EOF
worker_processes 1;
pid $RUN/be.pid;
error_log $RUN/be.err warn;
events { worker_connections 4096; }
http {
$(common_http be)
  access_log $RUN/be.access;
  sendfile on;
  server {
    listen 127.0.0.1:$BE_PORT backlog=4096;
    root $RUN/www;
    location / { add_header Cache-Control "public, max-age=3600"; }
  }
}
EOF
cat > "$RUN/nginx.conf" <<EOF
worker_processes 1;
pid $RUN/nginx.pid;
error_log $RUN/nginx.err warn;
events { worker_connections 4096; }
http {
$(common_http nginx)
  access_log off;
  sendfile on;
  proxy_cache_path $RUN/cache levels=1:2 keys_zone=c:10m max_size=32m inactive=60m use_temp_path=off;
  upstream be {
    server 127.0.0.1:$BE_PORT;
    keepalive 64;
    keepalive_requests 100000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location / {
      proxy_pass http://be;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache c;
      add_header X-Cache \$upstream_cache_status;
    }
  }
}
EOF
nginx -t -q -p "$RUN" -c "$RUN/be.conf" -e "$RUN/be.err" || die "bad backend config"
nginx -t -q -p "$RUN" -c "$RUN/nginx.conf" -e "$RUN/nginx.err" || die "bad nginx config"
nginx -p "$RUN" -c "$RUN/be.conf" -e "$RUN/be.err"
nginx -p "$RUN" -c "$RUN/nginx.conf" -e "$RUN/nginx.err"
for _ in $(seq 50); do [ -s "$RUN/be.pid" ] && [ -s "$RUN/nginx.pid" ] && break; sleep 0.1; done
"$JAVA" "${JVM_FLAGS[@]}" -jar "$RUN/jcluster.jar" balance --listen "127.0.0.1:$JC_PORT" \
  --backend "127.0.0.1:$BE_PORT" --mode http --cache 32m $JC_OPTS > "$RUN/jcluster.log" 2>&1 &
JC_PID=$!
PIDS+=("$JC_PID")
for _ in $(seq 300); do
  grep -q '^\[jcluster\] balancing ' "$RUN/jcluster.log" && break
  kill -0 "$JC_PID" 2>/dev/null || { cat "$RUN/jcluster.log" >&2; die "jcluster did not start"; }
  sleep 0.1
done
NGINX_MASTER=$(cat "$RUN/nginx.pid")
# the proxy's processes: jcluster's JVM; nginx's master and its workers (children of the master, by parent pid)
proxy_pids() {
  case "$1" in
    jcluster) echo "$JC_PID" ;;
    nginx) echo "$NGINX_MASTER"; awk -v m="$NGINX_MASTER" '{ if ($4 == m) print $1 }' /proc/[0-9]*/stat 2>/dev/null ;;
  esac
}
port_of() { case "$1" in jcluster) echo "$JC_PORT" ;; nginx) echo "$NGINX_PORT" ;; esac; }
cpu_ns() { local total=0 p v; for p in $(proxy_pids "$1"); do
  v=$(cat /proc/"$p"/task/*/schedstat 2>/dev/null | awk '{r+=$1} END{printf "%.0f", r}') || v=0
  total=$((total + ${v:-0})); done; echo "$total"; }
rss_kib() { local total=0 p v; for p in $(proxy_pids "$1"); do
  v=$(awk '/^VmRSS:/{print $2}' /proc/"$p"/status 2>/dev/null) || v=0; total=$((total + ${v:-0})); done; echo "$total"; }
machine_ticks() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print t, $5+$6; exit}' /proc/stat; }

# warm: each proxy answers each URL from its cache
for proxy in nginx jcluster; do
  for size in 1k 100k; do
    status=""
    for _ in $(seq 20); do
      status=$(curl -s -o /dev/null -D - "http://127.0.0.1:$(port_of $proxy)/$size" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache"{print $2}')
      [ "$status" = HIT ] && break
      sleep 0.1
    done
    [ "$status" = HIT ] || die "$proxy never answered /$size from its cache (X-Cache: $status)"
  done
  log "$proxy answers /1k and /100k from its cache"
  [ "$proxy" = jcluster ] && log "$(grep -m1 '^\[jcluster\] balancing ' "$RUN/jcluster.log")"
done
wrk -t1 -c"$CONNS" -d8s "http://127.0.0.1:$JC_PORT/1k" > /dev/null   # the JVM's JIT, once

CSV="$RUN/results.csv"
echo "proxy,size,round,rps,requests,proxy_cpu_us_per_req,proxy_rss_mib,backend_requests,machine_busy_pct" > "$CSV"
for round in $(seq "$ROUNDS"); do
  for size in 1k 100k; do
    for proxy in nginx jcluster; do
      url="http://127.0.0.1:$(port_of $proxy)/$size"
      wrk -t1 -c"$CONNS" -d"${WARMUP}s" "$url" > /dev/null
      be_before=$(wc -l < "$RUN/be.access")
      cpu_before=$(cpu_ns $proxy)
      read -r t0 i0 < <(machine_ticks)
      out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" "$url")
      read -r t1 i1 < <(machine_ticks)
      cpu_after=$(cpu_ns $proxy)
      rss=$(rss_kib $proxy)
      be_after=$(wc -l < "$RUN/be.access")
      requests=$(echo "$out" | awk '/requests in/{print $1}')
      rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
      errors=$(echo "$out" | grep -c 'Non-2xx\|Socket errors' || true)
      [ "$errors" = 0 ] || log "WARNING: $proxy /$size had errors: $(echo "$out" | grep 'Non-2xx\|Socket errors')"
      cpu_us=$(awk -v c=$((cpu_after - cpu_before)) -v r="$requests" 'BEGIN{printf "%.2f", c / 1000 / r}')
      busy=$(awk -v t=$((t1 - t0)) -v i=$((i1 - i0)) 'BEGIN{printf "%.0f", 100 * (t - i) / t}')
      echo "$proxy,$size,$round,$rps,$requests,$cpu_us,$((rss / 1024)),$((be_after - be_before)),$busy" >> "$CSV"
      log "round $round $proxy /$size: $rps req/s, $cpu_us proxy CPU us/req, backend asked $((be_after - be_before))"
    done
  done
done

median() { sort -n | awk '{a[NR]=$1} END{ if (NR % 2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
col() { awk -F, -v p="$1" -v s="$2" -v c="$3" 'NR>1 && $1==p && $2==s {print $c}' "$CSV" | median; }
TABLE="| response | proxy | rps | proxy CPU µs/req | resident MiB | backend requests |
|---|---|---:|---:|---:|---:|"
for size in 1k 100k; do
  n_cpu=$(col nginx $size 6)
  for proxy in nginx jcluster; do
    cpu=$(col $proxy $size 6)
    ratio=""
    [ "$proxy" = jcluster ] && ratio=" ($(awk -v a="$cpu" -v b="$n_cpu" 'BEGIN{printf "%.2fx", a / b}'))"
    name=$proxy; [ "$proxy" = nginx ] && name="nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') proxy_cache"
    [ "$proxy" = jcluster ] && name="**jcluster** cache=32m"
    TABLE+="
| cached ${size/k/ KiB} | $name | $(col $proxy $size 4 | awk '{printf "%\047d", $1}') | $(printf %s "$cpu")$ratio | $(col $proxy $size 7) | $(awk -F, -v p=$proxy -v s=$size 'NR>1 && $1==p && $2==s {t+=$8} END{print t}' "$CSV") |"
  done
done
echo "$TABLE"
log "raw results: $CSV"
if [ "$WRITE" = 1 ]; then
  {
    echo
    echo "## Response cache: jcluster cache= beside nginx proxy_cache ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo
    echo "Cached hits only (every response below came from the proxy's cache: the backend column counts what reached"
    echo "the backend during the measured runs). One nginx backend serving a 1 KiB and a 100 KiB static file with"
    echo "\`Cache-Control: public, max-age=3600\`; nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') with \`proxy_cache\` (worker_processes 1,"
    echo "cache on disk, served with sendfile from the page cache) and the jcluster standalone balancer (\`--mode http"
    echo "--cache 32m $JC_OPTS\`, ${JAVA_VERSION//\"/}, \`$JVM_OPTS\`) in front of it; wrk -t1 -c$CONNS, ${DURATION} s per run"
    echo "after ${WARMUP} s of warm-up, the four runs alternating, medians of $ROUNDS rounds; proxy CPU = on-CPU time of all the"
    echo "proxy's threads (schedstat) per request. $(nproc) cores, kernel $(uname -r), machine shared with other builds."
    echo "Command: \`bench/cache-bench.sh --rounds $ROUNDS --duration $DURATION --conns $CONNS${JC_OPTS:+ --balance-opts \"$JC_OPTS\"}\` at commit $(git -C "$ROOT" rev-parse --short HEAD)."
    echo
    echo "$TABLE"
  } >> "$ROOT/bench/RESULTS.md"
  log "wrote a section into bench/RESULTS.md"
fi
