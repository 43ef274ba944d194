#!/usr/bin/env bash
# Starts Azurite (blob, 127.0.0.1:${URM_AZURITE_BLOB_PORT:-10000}; queue, 127.0.0.1:${URM_AZURITE_QUEUE_PORT:-10001})
# and the Cosmos DB stand-in (https://127.0.0.1:${URM_COSMOS_PORT:-8081}) for `func start` or `dotnet test`;
# installs them with npm first if needed. All keep their data in memory: stopping them empties them. Stop with
# infra/local/stop.sh.
set -euo pipefail
source "$(dirname "$0")/servers.sh"
urm_servers_start || { urm_servers_stop; exit 1; }
cat <<TEXT
PIDs and logs: $URM_SERVERS
Cosmos stand-in for CardStore__ConnectionString (emulator only):
  AccountEndpoint=https://127.0.0.1:$URM_COSMOS_PORT/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;
  (it has no databases at start, no bulk or batch API, and a self-signed certificate: see docs/SETTINGS.md)
Azurite blob endpoint: http://127.0.0.1:$URM_AZURITE_BLOB_PORT/devstoreaccount1 (UseDevelopmentStorage=true)
Azurite queue endpoint: http://127.0.0.1:$URM_AZURITE_QUEUE_PORT/devstoreaccount1 (UseDevelopmentStorage=true)
TEXT
