#!/usr/bin/env bash
# cache.sh — jcluster's response cache (cache=) beside nginx's proxy_cache: same backend, same method, same run.
#
# Starts one nginx backend (worker_processes 1) on 127.0.0.1:$BE_PORT serving /1k and /100k (1 KiB and 100 KiB of
# bytes, Cache-Control: public, max-age=3600), nginx 1 worker as a caching reverse proxy in front of it
# (proxy_cache in /dev/shm, sendfile on, open_file_cache, keepalive to the backend) and the jcluster standalone balancer in http mode with
# --cache 64m. For each proxy and size it runs wrk (1 thread, CONNS connections, DURATION s after a WARMUP s warm-up),
# in alternating rounds (nginx 1k, jcluster 1k, nginx 100k, jcluster 100k, ...), and measures requests/s and the
# proxy's CPU time per request (utime+stime of all its processes from /proc, in CPU-microseconds per request). The
# backend's access log shows that the proxies answered from their caches (requests reaching it are counted).
# Prints a table of the medians; with --write, appends it to bench/RESULTS.md with the command, kernel and JDK.
#
# Everything it starts is stopped by pid on exit (also on Ctrl-C). Traffic goes to 127.0.0.1 only.
#
# Usage: bench/cache.sh [--rounds N] [--duration S] [--warmup S] [--conns N] [--java PATH] [--write]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=3 DURATION=10 WARMUP=3 CONNS=50 WRITE=0
JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
[ -x "$JAVA" ] || JAVA=java
JVM_OPTS="-XX:+UseSerialGC -Xmx64m"
BE_PORT=${BE_PORT:-18181} NGINX_PORT=${NGINX_PORT:-18182} JC_PORT=${JC_PORT:-18183}
ORIG_ARGS=("$@")

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --warmup) WARMUP=${2:?}; shift 2 ;;
    --conns) CONNS=${2:?}; shift 2 ;;
    --java) JAVA=${2:?}; shift 2 ;;
    --write) WRITE=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "cache.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

log() { echo "[$(date +%H:%M:%S)] cache.sh: $*" >&2; }

JAR="$ROOT/agent/target/jcluster.jar"
[ -f "$JAR" ] || { echo "cache.sh: build first: mvn -B -q -DskipTests package" >&2; exit 1; }
WORK=$(mktemp -d /tmp/jcluster-cache-bench.XXXXXX)
SHM=$(mktemp -d /dev/shm/jcluster-cache-bench.XXXXXX)
cp "$JAR" "$WORK/jcluster.jar" # a rebuild under a running JVM crashes it
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$SHM"
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK/www" "$WORK/be" "$WORK/px"
head -c 768 /dev/urandom | base64 -w0 > "$WORK/www/1k"      # 1,024 bytes
head -c 76800 /dev/urandom | base64 -w0 > "$WORK/www/100k"  # 102,400 bytes
chmod -R a+rX "$WORK" # nginx's workers may run as another user (nobody when started by root)
chmod 777 "$SHM"

cat > "$WORK/be/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/be/nginx.pid;
error_log $WORK/be/error.log warn;
events { worker_connections 4096; }
http {
  access_log $WORK/be/access.log;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$BE_PORT;
    root $WORK/www;
    location / { add_header Cache-Control "public, max-age=3600"; default_type application/octet-stream; }
  }
}
EOF
cat > "$WORK/px/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/px/nginx.pid;
error_log $WORK/px/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  sendfile on; # tcp_nopush is left off: with keep-alive it held 100 KiB responses back (1,300 req/s)
  open_file_cache max=1000 inactive=60s;
  proxy_cache_path $SHM levels=1:2 keys_zone=jc:10m max_size=64m inactive=1h use_temp_path=off;
  upstream be { server 127.0.0.1:$BE_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://be;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache jc;
      proxy_cache_lock on;
      add_header X-Cache \$upstream_cache_status;
    }
  }
}
EOF

nginx -c "$WORK/be/nginx.conf" -p "$WORK/be" & PIDS+=($!); BE_PID=$!
nginx -c "$WORK/px/nginx.conf" -p "$WORK/px" & PIDS+=($!); NGINX_PID=$!
# shellcheck disable=SC2086
"$JAVA" $JVM_OPTS -jar "$WORK/jcluster.jar" balance --listen "127.0.0.1:$JC_PORT" --backend "127.0.0.1:$BE_PORT" \
  --mode http --cache 64m > "$WORK/jcluster.log" 2>&1 & PIDS+=($!); JC_PID=$!

for port in $BE_PORT $NGINX_PORT $JC_PORT; do
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/1k" && break
    sleep 0.2
  done
done
for port in $NGINX_PORT $JC_PORT; do
  for path in /1k /100k; do
    curl -sf -o /dev/null "http://127.0.0.1:$port$path"
    status=$(curl -sfI "http://127.0.0.1:$port$path" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache"{print $2}')
    log "127.0.0.1:$port$path second request: X-Cache $status"
  done
done

# CPU ticks (utime + stime) of a process and its children (nginx: master and worker)
ticks() {
  local total=0 pid
  for pid in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    [ -r /proc/"$pid"/stat ] || continue
    total=$((total + $(awk '{print $14 + $15}' /proc/"$pid"/stat)))
  done
  echo "$total"
}
HZ=$(getconf CLK_TCK)
RESULTS="$WORK/results.csv"
echo "proxy,size,rps,cpu_us_per_req" > "$RESULTS"

run() { # name pid port path
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$3$4" > /dev/null
  local before after out requests rps
  before=$(ticks "$2")
  out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$3$4")
  after=$(ticks "$2")
  requests=$(echo "$out" | awk '/requests in/{print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  if echo "$out" | grep -q "Non-2xx"; then log "$1 $4: non-2xx responses!"; fi
  local cpu
  cpu=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$requests" 'BEGIN{printf "%.2f", t * 1e6 / hz / n}')
  echo "$1,$4,$rps,$cpu" >> "$RESULTS"
  log "$1 $4: $rps req/s, $cpu CPU-us/req"
}

before_be=$(wc -l < "$WORK/be/access.log")
for round in $(seq 1 "$ROUNDS"); do
  log "round $round of $ROUNDS"
  for path in /1k /100k; do
    run nginx "$NGINX_PID" "$NGINX_PORT" "$path"
    run jcluster "$JC_PID" "$JC_PORT" "$path"
  done
done
reached=$(( $(wc -l < "$WORK/be/access.log") - before_be ))

median() { sort -n | awk '{a[NR]=$1} END{if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
table() {
  echo "| proxy | response | requests/s | proxy CPU µs/req |"
  echo "|---|---|---:|---:|"
  for path in /1k /100k; do
    for proxy in nginx jcluster; do
      rps=$(awk -F, -v p=$proxy -v s=$path '$1==p && $2==s {print $3}' "$RESULTS" | median)
      cpu=$(awk -F, -v p=$proxy -v s=$path '$1==p && $2==s {print $4}' "$RESULTS" | median)
      label=$([ $proxy = nginx ] && echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') proxy_cache" || echo "**jcluster** --cache 64m")
      echo "| $label | cached ${path#/}B | $rps | $cpu |"
    done
  done
}
TABLE=$(table)
echo "$TABLE"
log "requests that reached the backend during the measured runs (both proxies): $reached"
log "raw results: $RESULTS"

if [ "$WRITE" = 1 ]; then
  {
    echo
    echo "## Response cache beside nginx proxy_cache ($(date -u +%Y-%m-%dT%H:%MZ))"
    echo
    echo "\`bench/cache.sh ${ORIG_ARGS[*]}\` at commit $(git -C "$ROOT" rev-parse --short HEAD); kernel $(uname -r);"
    echo "$("$JAVA" -version 2>&1 | head -1) with \`$JVM_OPTS\`; nginx 1 worker; wrk 1 thread, $CONNS connections,"
    echo "${DURATION} s per run after ${WARMUP} s warm-up, medians of $ROUNDS alternating rounds; 2-core machine shared with"
    echo "other sessions' builds (numbers vary between runs). Requests that reached the backend while measuring: $reached."
    echo
    echo "$TABLE"
  } >> "$ROOT/bench/RESULTS.md"
  log "appended to bench/RESULTS.md"
fi
