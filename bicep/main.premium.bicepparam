// Linux Elastic Premium plan, CPU inference. deploy.sh sets URM_ENVIRONMENT (default prod).
using 'main.bicep'

param environmentName = readEnvironmentVariable('URM_ENVIRONMENT', 'prod')
param hosting = 'premium'
param premiumSku = 'EP1'
param premiumMaxInstances = 10
param cosmosCapacityMode = 'serverless'
param subscribeFunctions = bool(readEnvironmentVariable('URM_SUBSCRIBE_FUNCTIONS', 'false'))
// An A/B experiment (docs/EXPERIMENTS.md, "In Azure"): from the environment deploy.sh runs in; unset, none.
param experimentArms = readEnvironmentVariable('URM_EXPERIMENT_ARMS', '')
param experimentSalt = readEnvironmentVariable('URM_EXPERIMENT_SALT', '')
