#!/usr/bin/env bash
# Runs every test on a fresh Debian machine: installs what the tests need (Debian packages with apt,
# Azurite and the Cosmos DB stand-in with npm), starts the servers on 127.0.0.1, runs the C# and
# trainer tests, and stops the servers however the run ends. `.ci/run` calls exactly this script.
set -euo pipefail
cd "$(dirname "$0")"

# Debian's Python with numpy reads the .npy exchange files (and trains models); OpenBLAS keeps its
# matrix products fast. `urm evaluate` draws its charts with SkiaSharp's self-contained Linux build (no
# native dependency); it reads fonts from /usr/share/fonts, so DejaVu keeps chart labels legible.
packages=(python3-numpy python3-torch python3-onnx python3-pytest libopenblas0-pthread fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages the tests need: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Azurite and the Cosmos DB stand-in for the adapter tests (tests/Urm.Azure.Tests): installed with npm
# into .ci/node, started on 127.0.0.1, stopped by PID however the run ends.
source infra/local/servers.sh
trap urm_servers_stop EXIT
urm_servers_start

dotnet test Functions.sln
/usr/bin/python3 -m pytest -q src/trainer
