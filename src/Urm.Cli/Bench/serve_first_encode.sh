#!/usr/bin/env bash
# Benchmark (prints a figure, asserts nothing): how long `urm serve --threads 1` takes to encode a
# catalog the first time, from an empty store and feature cache, until its folder watcher logs the run.
#   /work/shared/tools/heavy src/Urm.Cli/Bench/serve_first_encode.sh MODEL_DIR CATALOG.jsonl
# Needs the Release build (dotnet build -c Release src/Urm.Cli).
set -euo pipefail
model=$1 catalog=$2
cd "$(dirname "$0")/../../.."
work=$(mktemp -d /tmp/urm-first-encode.XXXXXX)
mkdir -p "$work/catalog" && cp "$catalog" "$work/catalog/"
dotnet src/Urm.Cli/bin/Release/net10.0/urm.dll serve --model "$model" --catalog-dir "$work/catalog" \
  --store "$work/urm.db" --urls http://127.0.0.1:5391 --threads 1 > "$work/log.txt" 2>&1 &
pid=$!
for _ in $(seq 1 1800); do
  grep -q "Encoded \|failed" "$work/log.txt" && break
  kill -0 $pid 2>/dev/null || break
  sleep 1
done
grep -E "Encoded |failed" "$work/log.txt" | cut -c1-400 || { echo "no encoding run in the log:"; tail -20 "$work/log.txt"; }
kill $pid 2>/dev/null; wait $pid 2>/dev/null || true
rm -rf "$work"
