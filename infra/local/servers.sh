# Sourced by .ci/run and infra/local/start.sh / stop.sh: installs, starts and stops the local test servers,
# Azurite (blob and queue) and the Cosmos DB stand-in (@vercel/cosmosdb-server), on 127.0.0.1 only.
# Ports: URM_AZURITE_BLOB_PORT (default 10000), URM_AZURITE_QUEUE_PORT (default 10001), URM_COSMOS_PORT
# (default 8081); the tests read the same variables. Azurite's defaults are kept because
# UseDevelopmentStorage=true (the Functions tests' connection) means blob 10000 and queue 10001.

URM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
URM_NODE="$URM_ROOT/.ci/node"            # package.json with pinned versions; node_modules is git-ignored
URM_SERVERS="${URM_SERVERS:-$URM_ROOT/.ci/servers}"   # PID files and logs
export URM_AZURITE_BLOB_PORT="${URM_AZURITE_BLOB_PORT:-10000}"
export URM_AZURITE_QUEUE_PORT="${URM_AZURITE_QUEUE_PORT:-10001}"
export URM_COSMOS_PORT="${URM_COSMOS_PORT:-8081}"

urm_servers_install() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  if [ ! -x "$URM_NODE/node_modules/.bin/azurite-blob" ] || [ ! -f "$URM_NODE/node_modules/@vercel/cosmosdb-server/lib/cli.js" ]; then
    echo "Installing Azurite and the Cosmos DB stand-in into $URM_NODE (npm)"
    (cd "$URM_NODE" && npm install --no-audit --no-fund --loglevel=error --no-package-lock >/dev/null)
  fi
}

# urm_port_answers PORT: true when something accepts a TCP connection on 127.0.0.1:PORT.
urm_port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# urm_server_start NAME PORT COMMAND...: starts COMMAND in the background, records its PID, waits for PORT.
urm_server_start() {
  local name="$1" port="$2"; shift 2
  mkdir -p "$URM_SERVERS"
  if urm_port_answers "$port"; then
    echo "Port $port on 127.0.0.1 is already taken; stop what listens there or set the port variable (URM_AZURITE_BLOB_PORT, URM_AZURITE_QUEUE_PORT, URM_COSMOS_PORT)." >&2
    return 1
  fi
  "$@" >"$URM_SERVERS/$name.log" 2>&1 &
  echo $! >"$URM_SERVERS/$name.pid"
  for _ in $(seq 1 100); do
    if urm_port_answers "$port"; then echo "$name listening on 127.0.0.1:$port (PID $(cat "$URM_SERVERS/$name.pid"))"; return 0; fi
    if ! kill -0 "$(cat "$URM_SERVERS/$name.pid")" 2>/dev/null; then break; fi
    sleep 0.3
  done
  echo "$name did not start on 127.0.0.1:$port; its log:" >&2
  cat "$URM_SERVERS/$name.log" >&2
  return 1
}

urm_servers_start() {
  urm_servers_install
  urm_server_start azurite "$URM_AZURITE_BLOB_PORT" node "$URM_NODE/node_modules/azurite/dist/src/blob/main.js" \
    --blobHost 127.0.0.1 --blobPort "$URM_AZURITE_BLOB_PORT" --inMemoryPersistence --loose \
    --skipApiVersionCheck --disableTelemetry || return 1
  # The queue service is a process of its own in the same package: the catalog chunk queues (catalog-chunks).
  urm_server_start azurite-queue "$URM_AZURITE_QUEUE_PORT" node "$URM_NODE/node_modules/azurite/dist/src/queue/main.js" \
    --queueHost 127.0.0.1 --queuePort "$URM_AZURITE_QUEUE_PORT" --inMemoryPersistence --loose \
    --skipApiVersionCheck --disableTelemetry || return 1
  # HTTPS with the self-signed certificate the package ships; the tests accept it on 127.0.0.1 only.
  # Through cosmos-stand-in.js, which gives it Cosmos DB's URL-safe resource ids (see there why).
  URM_NODE_MODULES="$URM_NODE/node_modules" urm_server_start cosmos "$URM_COSMOS_PORT" \
    node "$URM_ROOT/infra/local/cosmos-stand-in.js" --host 127.0.0.1 --port "$URM_COSMOS_PORT" || return 1
}

# Stops exactly the processes whose PIDs were recorded at start.
urm_servers_stop() {
  local name pid
  for name in cosmos azurite-queue azurite; do
    [ -f "$URM_SERVERS/$name.pid" ] || continue
    pid="$(cat "$URM_SERVERS/$name.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$URM_SERVERS/$name.pid"
  done
}
