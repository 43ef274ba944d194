#!/usr/bin/env bash
# Stops the servers infra/local/start.sh started (by their recorded PIDs).
set -euo pipefail
source "$(dirname "$0")/servers.sh"
urm_servers_stop
echo "Stopped the local test servers."
