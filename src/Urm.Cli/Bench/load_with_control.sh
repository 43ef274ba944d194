#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): urm serve --threads 1 over a catalog (empty store and
# cache), then urm bench load for 30 s at 16 requests in flight and at 4 as the control.
#   /work/shared/tools/heavy src/Urm.Cli/Bench/load_with_control.sh MODEL_DIR CATALOG.jsonl [EVENTS_PER_RECOMMEND]
# With EVENTS_PER_RECOMMEND (e.g. 5) each recommend is followed by that many events, read back
# afterwards from the profiles and the server's event folder. URM_LOAD_CONCURRENCY overrides "16 4".
# URM_LOAD_FEATURES=DIR seeds the server's feature cache with DIR/features.log (a FileFeatureCache of the
# same text precision, e.g. urm features' cache), so the first encode reads features instead of running
# MiniLM for minutes. URM_LOAD_COUNTERS=DIR records the server's runtime and Kestrel counters
# (dotnet-counters, 1 s) during each load run in DIR/counters-cN.csv; URM_LOAD_TRACE=DIR samples the server's
# thread stacks (dotnet-trace, dotnet-sampled-thread-time, 20 s) during each load run into DIR/trace-cN.*
# (nettrace and speedscope). Both tools sit on the same 2 cores: take figures from a run without them.
# URM_LOAD_SERVE_ENV="K=V ..." sets environment variables for the server alone (DOTNET_* runtime knobs).
# Needs the Release build (dotnet build -c Release src/Urm.Cli).
set -euo pipefail
model=$1 catalog=$2 events=${3:-0}
cd "$(dirname "$0")/../../.."
URM="dotnet src/Urm.Cli/bin/Release/net10.0/urm.dll"
work=$(mktemp -d /tmp/urm-load.XXXXXX)
mkdir -p "$work/catalog" && cp "$catalog" "$work/catalog/catalog.jsonl"
if [ -n "${URM_LOAD_FEATURES:-}" ]; then
  mkdir -p "$work/urm.db.features" && cp "$URM_LOAD_FEATURES/features.log" "$work/urm.db.features/"
fi
env ${URM_LOAD_SERVE_ENV:-} $URM serve --model "$model" --store "$work/urm.db" --catalog-dir "$work/catalog" --events-dir "$work/events" --urls http://127.0.0.1:5081 --threads 1 > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 1800); do grep -q "Encoded catalog.jsonl" "$work/serve.log" && break; sleep 1; done
grep "Encoded" "$work/serve.log" | cut -c1-200
for c in ${URM_LOAD_CONCURRENCY:-16 4}; do
  # The tools stop themselves (--duration): a background job of a script ignores SIGINT.
  tools=()
  if [ -n "${URM_LOAD_COUNTERS:-}" ]; then
    mkdir -p "$URM_LOAD_COUNTERS"
    dotnet-counters collect -p $pid --refresh-interval 1 --format csv -o "$URM_LOAD_COUNTERS/counters-c$c.csv" --duration 00:00:00:34 \
      --counters System.Runtime,Microsoft.AspNetCore.Hosting,Microsoft-AspNetCore-Server-Kestrel,Urm > /dev/null 2>&1 &
    tools+=($!)
  fi
  if [ -n "${URM_LOAD_TRACE:-}" ]; then
    mkdir -p "$URM_LOAD_TRACE"
    dotnet-trace collect -p $pid --profile dotnet-sampled-thread-time --format Speedscope --duration 00:00:00:20 \
      -o "$URM_LOAD_TRACE/trace-c$c.nettrace" > "$URM_LOAD_TRACE/trace-c$c.log" 2>&1 &
    tools+=($!)
  fi
  [ ${#tools[@]} -eq 0 ] || sleep 2
  echo "load before concurrency $c: $(cut -d' ' -f1-3 /proc/loadavg)"
  # CPU seconds of the server (utime + stime of /proc/PID/stat) and of the load generator (time) over the run:
  # how the 2 cores were shared.
  serve_before=$(awk '{print $14 + $15}' /proc/$pid/stat)
  /usr/bin/time -f "load generator CPU: %U s user + %S s system in %e s" $URM bench load --url http://127.0.0.1:5081 --catalog "$work/catalog/catalog.jsonl" --seconds 30 --concurrency $c \
    --events-per-recommend "$events" --events-dir "$work/events" 2>&1 | tail -6
  echo "server CPU: $(awk -v b=$serve_before -v hz=$(getconf CLK_TCK) '{printf "%.1f", ($14 + $15 - b) / hz}' /proc/$pid/stat) s"
  echo "load after concurrency $c: $(cut -d' ' -f1-3 /proc/loadavg)"
  for t in "${tools[@]}"; do wait $t || true; done
done
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$work"
