#!/usr/bin/env bash
# c2000.sh — one short wrk -c2000 run against the standalone balancer (tcp mode) in front of two loopback nginx
# backends, with the kernel's listen/SYN counters (nstat) before and after and the balancer's sockets that still
# hold bytes at the end (ss). Made to chase issue 18's epoll timeouts at 2,000 connections.
# Usage: bench/c2000.sh [--transport epoll|io_uring] [--seconds 10] [--conns 2000] [--wrk-timeout 2s]
#        [--warmup SECONDS (a wrk run with the same connections first, as anchors.sh does)] [--jar PATH]
set -euo pipefail
TRANSPORT=epoll SECONDS_=10 CONNS=2000 WRK_TIMEOUT=2s WARMUP=0 JAR=
while [ $# -gt 0 ]; do case "$1" in
  --transport) TRANSPORT=$2; shift 2 ;; --seconds) SECONDS_=$2; shift 2 ;; --conns) CONNS=$2; shift 2 ;;
  --wrk-timeout) WRK_TIMEOUT=$2; shift 2 ;; --warmup) WARMUP=$2; shift 2 ;; --jar) JAR=$2; shift 2 ;; *) echo "unknown option $1" >&2; exit 2 ;; esac; done
HERE=$(cd "$(dirname "$0")/.." && pwd)
RUN=$(mktemp -d /tmp/c2000.XXXX); chmod 755 "$RUN"; mkdir -p "$RUN/tmp"; chmod 777 "$RUN/tmp"
cp "${JAR:-$HERE/agent/target/jcluster.jar}" "$RUN/jcluster.jar"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BE1=$(free_port) BE2=$(free_port) LB=$(free_port)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
. "$(dirname "$0")/lib/nginx-backends.sh"
start_nginx_backends "$RUN" "$BE1" "$BE2"
java -jar "$RUN/jcluster.jar" balance --listen "127.0.0.1:$LB" --backend "127.0.0.1:$BE1" --backend "127.0.0.1:$BE2" \
  --mode tcp --transport "$TRANSPORT" > "$RUN/lb.log" 2>&1 & LBPID=$!; PIDS+=($LBPID)
for _ in $(seq 300); do grep -q '\[jcluster\] balancing ' "$RUN/lb.log" && break; sleep 0.1; done
grep -m1 '\[jcluster\] balancing ' "$RUN/lb.log"
curl -s -o /dev/null -w 'probe %{http_code}\n' "http://127.0.0.1:$LB/"
counters() { nstat -az 2>/dev/null | grep -Ei 'ListenOverflows|ListenDrops|TCPReqQFullDrop|TCPReqQFullDoCookies|SyncookiesSent|TCPTimeouts|TCPSynRetrans|TCPAbortOnData|TCPBacklogDrop|TCPLossProbes|RetransSegs|TCPAbortOnTimeout' | awk '{print $1, $2}'; }
if [ "$WARMUP" -gt 0 ]; then
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$LB/" | grep -E 'requests in|timeout' | sed 's/^/warm-up: /'
  sleep 1
fi
counters > "$RUN/nstat.before"
wrk -t1 -c"$CONNS" -d"${SECONDS_}s" --timeout "$WRK_TIMEOUT" --latency "http://127.0.0.1:$LB/" > "$RUN/wrk.out" 2>&1 &
WRK=$!
counts() { echo "t=$1 client-side $(ss -Htn state established "( sport = :$LB )" | wc -l)" \
  "backend-side $(ss -Htn state established "( dport = :$BE1 or dport = :$BE2 )" | wc -l)" \
  "listen-queue $(ss -Hltn "( sport = :$LB )" | awk '{print $2}')" "balancer-fds $(ls /proc/$LBPID/fd | wc -l)"; }
# the listen queue (Recv-Q of the listening socket) = connections the kernel completed that the balancer has not
# accept()ed yet: their requests wait there, and wrk counts one that waited over its timeout
for t in 0.5 1.0 1.5 2.0 2.5 3.0; do sleep 0.5; counts "$t" >> "$RUN/counts"; done
wait $WRK || true
counters > "$RUN/nstat.after"
cat "$RUN/wrk.out"
cat "$RUN/counts"
echo "-- nstat delta (after - before)"
join "$RUN/nstat.before" "$RUN/nstat.after" | awk '{d=$3-$2; if (d) print $1, d}'
echo "run dir $RUN"
