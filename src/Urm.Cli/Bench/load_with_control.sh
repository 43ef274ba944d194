#!/usr/bin/env bash
# Benchmark (prints figures, asserts nothing): urm serve --threads 1 over a catalog (empty store and
# cache), then urm bench load for 30 s at 16 requests in flight and at 4 as the control.
#   /work/shared/tools/heavy src/Urm.Cli/Bench/load_with_control.sh MODEL_DIR CATALOG.jsonl [EVENTS_PER_RECOMMEND]
# With EVENTS_PER_RECOMMEND (e.g. 5) each recommend is followed by that many events, read back
# afterwards from the profiles and the server's event folder. URM_LOAD_CONCURRENCY overrides "16 4".
# Needs the Release build (dotnet build -c Release src/Urm.Cli).
set -euo pipefail
model=$1 catalog=$2 events=${3:-0}
cd "$(dirname "$0")/../../.."
URM="dotnet src/Urm.Cli/bin/Release/net10.0/urm.dll"
work=$(mktemp -d /tmp/urm-load.XXXXXX)
mkdir -p "$work/catalog" && cp "$catalog" "$work/catalog/catalog.jsonl"
$URM serve --model "$model" --store "$work/urm.db" --catalog-dir "$work/catalog" --events-dir "$work/events" --urls http://127.0.0.1:5081 --threads 1 > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 1800); do grep -q "Encoded catalog.jsonl" "$work/serve.log" && break; sleep 1; done
grep "Encoded" "$work/serve.log" | cut -c1-200
for c in ${URM_LOAD_CONCURRENCY:-16 4}; do
  echo "load before concurrency $c: $(cut -d' ' -f1-3 /proc/loadavg)"
  $URM bench load --url http://127.0.0.1:5081 --catalog "$work/catalog/catalog.jsonl" --seconds 30 --concurrency $c \
    --events-per-recommend "$events" --events-dir "$work/events" 2>&1 | tail -6
  echo "load after concurrency $c: $(cut -d' ' -f1-3 /proc/loadavg)"
done
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$work"
