#!/usr/bin/env bash
# Deploy Urm into one resource group: infrastructure (bicep/), the app, and a model package.
#
#   infra/deploy.sh -g <resource group> -l <location> -p premium|gpu -m <model package dir> [-e <environment>]
#
# Needs: az CLI (logged in, `az login`), the .NET 10 SDK for premium, zip. The signed-in user needs
# Owner (or Contributor + User Access Administrator) on the resource group: the template creates
# role assignments, and this script grants the user Storage Blob Data Contributor to upload the model.
set -euo pipefail

usage() {
  echo "usage: $0 -g <resource group> -l <location> -p premium|gpu -m <model package dir> [-e <environment name>]" >&2
  exit 2
}

resource_group="" location="" hosting="" model_dir="" environment_name="prod"
while getopts "g:l:p:m:e:h" opt; do
  case "$opt" in
    g) resource_group="$OPTARG" ;;
    l) location="$OPTARG" ;;
    p) hosting="$OPTARG" ;;
    m) model_dir="$OPTARG" ;;
    e) environment_name="$OPTARG" ;;
    *) usage ;;
  esac
done
[[ -n "$resource_group" && -n "$location" && -n "$model_dir" ]] || usage
[[ "$hosting" == "premium" || "$hosting" == "gpu" ]] || { echo "-p must be premium or gpu" >&2; usage; }
[[ -f "$model_dir/manifest.json" ]] || { echo "$model_dir/manifest.json not found: -m must be a model package folder" >&2; exit 2; }

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo_root"
param_file="bicep/main.$hosting.bicepparam"
deployment="urm-$hosting"
export URM_ENVIRONMENT="$environment_name"

output() { # output <name>: one output of the last template deployment
  az deployment group show -g "$resource_group" -n "$deployment" --query "properties.outputs.$1.value" -o tsv
}

deploy_template() {
  echo "==> Deploying $param_file to $resource_group"
  az deployment group create -g "$resource_group" -n "$deployment" --parameters "$param_file" --output none
}

echo "==> Resource group $resource_group in $location"
az group create -n "$resource_group" -l "$location" --output none

export URM_CONTAINER_IMAGE="${URM_CONTAINER_IMAGE:-}"
# First pass without the Event Grid subscriptions: the app has no blob trigger key yet.
export URM_SUBSCRIBE_FUNCTIONS=false
deploy_template
app_name="$(output functionAppName)"
storage_account="$(output storageAccountName)"

if [[ "$hosting" == "premium" ]]; then
  echo "==> Publishing src/Urm.Functions (CPU ONNX Runtime)"
  publish_dir="$repo_root/out/publish"
  rm -rf "$publish_dir" "$repo_root/out/functions.zip"
  dotnet publish src/Urm.Functions -c Release -o "$publish_dir"
  (cd "$publish_dir" && zip -qr "$repo_root/out/functions.zip" .)
  echo "==> Zip deploy to $app_name"
  az functionapp deployment source config-zip -g "$resource_group" -n "$app_name" --src "$repo_root/out/functions.zip" --output none
else
  registry_server="$(output registryLoginServer)"
  registry_name="${registry_server%%.*}"
  tag="$(date -u +%Y%m%d%H%M%S)"
  echo "==> Building the image in $registry_name (az acr build)"
  az acr build -r "$registry_name" -t "urm-functions:$tag" -f infra/Dockerfile . --output none
  # The template stays the source of truth for the running image: deploy it again with the new tag.
  export URM_CONTAINER_IMAGE="$registry_server/urm-functions:$tag"
  deploy_template
fi

# Second pass: Event Grid's webhook to the blob triggers needs the host's blobs_extension system key,
# which exists once the host has started with the blob-triggered functions (events.bicep).
echo "==> Waiting for the app's blob trigger key"
app_id="$(az functionapp show -g "$resource_group" -n "$app_name" --query id -o tsv)"
app_url="$(output functionAppUrl)"
for attempt in $(seq 1 30); do
  curl -s -o /dev/null "$app_url/api/health" || true # wakes the host
  key_present="$(az rest --method post --uri "https://management.azure.com$app_id/host/default/listKeys?api-version=2024-11-01" \
    --query "systemKeys.blobs_extension != null" -o tsv 2>/dev/null || echo false)"
  [[ "$key_present" == "true" ]] && break
  [[ "$attempt" == 30 ]] && { echo "the app never reported its blobs_extension key; check its logs, then rerun" >&2; exit 1; }
  sleep 20
done
export URM_SUBSCRIBE_FUNCTIONS=true
deploy_template

echo "==> Uploading the model package from $model_dir"
# Shared keys are disabled on the account: upload with the signed-in user's Microsoft Entra identity.
storage_id="$(az storage account show -g "$resource_group" -n "$storage_account" --query id -o tsv)"
user_id="$(az ad signed-in-user show --query id -o tsv)"
az role assignment create --assignee-object-id "$user_id" --assignee-principal-type User \
  --role "Storage Blob Data Contributor" --scope "$storage_id" --output none 2>/dev/null || true

version="$(sed -n 's/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$model_dir/manifest.json" | head -n 1)"
[[ -n "$version" ]] || { echo "manifest.json has no \"version\"" >&2; exit 1; }

# A fresh role assignment takes a few minutes to apply: retry the first upload.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if az storage blob upload-batch --auth-mode login --account-name "$storage_account" \
       -d models --destination-path "$version" -s "$model_dir" --overwrite --output none; then
    break
  fi
  [[ "$attempt" == 10 ]] && { echo "model upload failed" >&2; exit 1; }
  echo "    waiting for the storage role to apply (attempt $attempt)..."
  sleep 30
done

# The pointer is written last, so instances only ever see a complete package.
pointer="$(mktemp)"
trap 'rm -f "$pointer"' EXIT
printf '{ "version": "%s" }\n' "$version" > "$pointer"
az storage blob upload --auth-mode login --account-name "$storage_account" \
  -c models -n active.json -f "$pointer" --content-type application/json --overwrite --output none

echo "==> Done. Model $version is active."
echo "URL: $(output functionAppUrl)"
