// Azure Functions on Container Apps with a serverless T4 GPU, CUDA inference.
// deploy.sh passes containerImage once it has pushed the app's image to the registry.
using 'main.bicep'

param environmentName = readEnvironmentVariable('URM_ENVIRONMENT', 'prod')
param hosting = 'gpu'
param gpuProfileType = 'Consumption-GPU-NC8as-T4'
param gpuCpu = 8
param gpuMemory = '56Gi'
param gpuMinReplicas = 0
param gpuMaxReplicas = 2
param containerImage = readEnvironmentVariable('URM_CONTAINER_IMAGE', '')
param cosmosCapacityMode = 'autoscale'
param cosmosAutoscaleMaxThroughput = 1000
param subscribeFunctions = bool(readEnvironmentVariable('URM_SUBSCRIBE_FUNCTIONS', 'false'))
// An A/B experiment (docs/EXPERIMENTS.md, "In Azure"): from the environment deploy.sh runs in; unset, none.
param experimentArms = readEnvironmentVariable('URM_EXPERIMENT_ARMS', '')
param experimentSalt = readEnvironmentVariable('URM_EXPERIMENT_SALT', '')
