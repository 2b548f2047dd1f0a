#!/usr/bin/env bash
# jmh.sh — builds the JMH benchmarks (benchmarks/, Maven profile "bench") and runs them
# with the short settings the benchmark classes declare (1 fork; 5 x 1 s measurement after 2 x 1 s warm-up for the
# strategy picks, 5 x 1 s for the relay round trips: about 5 minutes for everything on 2 cores).
#
# Usage: bench/jmh.sh [--no-build] [--gc] [--java PATH] [--markdown FILE] [JMH arguments...]
#   --no-build       use benchmarks/target/benchmarks.jar as it is
#   --gc             add JMH's allocation profiler (-prof gc): gc.alloc.rate.norm = bytes allocated per op,
#                    by every thread of the benchmark JVM
#   --java PATH      the java that runs the benchmarks (default: java on PATH); JDK 24+ gets
#                    --enable-native-access=ALL-UNNAMED so that the balancer may use its native transport
#   --markdown FILE  also write the results as a Markdown table to FILE
#   JMH arguments    passed on: a benchmark regex (SelectionBenchmark, RelayBenchmark.tcpEcho, ...), -p name=v,v,
#                    -f, -wi, -w, -i, -r, -t, -prof ... (java -jar benchmarks/target/benchmarks.jar -h lists them),
#                    which replace the classes' settings
# Examples: bench/jmh.sh --gc
#           bench/jmh.sh --gc SelectionBenchmark -p strategy=least-connections -p backends=64
#           bench/jmh.sh --gc RelayBenchmark -i 10
set -euo pipefail
JAVA=java BUILD=1 GC=0 MARKDOWN=""
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --gc) GC=1; shift ;;
    --java) JAVA=${2:?--java needs a path}; shift 2 ;;
    --markdown) MARKDOWN=${2:?--markdown needs a file}; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
cd "$(dirname "$0")/.."
JAR=benchmarks/target/benchmarks.jar
if [ "$BUILD" = 1 ]; then
  # -am builds bootstrap and agent first, from this checkout: nothing is taken from or put in ~/.m2 but plugins
  mvn -B -q -Pbench -pl benchmarks -am -DskipTests package
fi
[ -f "$JAR" ] || { echo "jmh: $JAR not found (run without --no-build)" >&2; exit 2; }

DEFAULTS=()
[ "$GC" = 1 ] && DEFAULTS+=(-prof gc)
version=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
HOST=()
if [ "${version%%.*}" -ge 24 ] 2>/dev/null; then
  # native access for the balancer's epoll; JMH itself still uses sun.misc.Unsafe, which JDK 24+ warns about.
  # JMH's forks inherit the flags of this JVM (unless -jvmArgs replaces them).
  HOST=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
fi
RESULT=benchmarks/target/jmh-result.json
"$JAVA" "${HOST[@]}" -jar "$JAR" "${DEFAULTS[@]}" -rf json -rff "$RESULT" "${ARGS[@]}"

if [ -n "$MARKDOWN" ]; then
  python3 - "$RESULT" "$MARKDOWN" <<'EOF'
import json, math, sys
results = json.load(open(sys.argv[1]))
rows = ["| benchmark | params | threads | score ± error (99.9%) | gc.alloc.rate.norm B/op |",
        "|---|---|---:|---:|---:|"]
for r in results:
    name = r["benchmark"].rsplit(".", 2)
    name = name[-2] + "." + name[-1]
    params = ", ".join(f"{k}={v}" for k, v in (r.get("params") or {}).items())
    p = r["primaryMetric"]
    score, err = float(p["score"]), float(p["scoreError"])
    score = f"{score:.3f} {p['scoreUnit']}" if math.isnan(err) else f"{score:.3f} ± {err:.3f} {p['scoreUnit']}"
    norm = (r.get("secondaryMetrics") or {}).get("gc.alloc.rate.norm")
    alloc = f"{norm['score']:.3f}" if norm else "—"
    rows.append(f"| {name} | {params} | {r['threads']} | {score} | {alloc} |")
open(sys.argv[2], "w").write("\n".join(rows) + "\n")
EOF
  echo "jmh: table written to $MARKDOWN" >&2
fi
