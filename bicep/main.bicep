// Urm: everything one environment of the recommender needs, in one resource group.
// Hosting is chosen by `hosting`: 'premium' (Linux Elastic Premium, CPU inference) or 'gpu'
// (Azure Functions on Container Apps with a serverless GPU workload profile).
// Every data-plane connection uses the user-assigned identity; no key or connection string with a
// secret is created, stored in a setting or returned.

targetScope = 'resourceGroup'

// ---- What and where ---------------------------------------------------------------------------

@description('Short environment name (dev, test, prod); part of every generated resource name.')
@minLength(1)
@maxLength(10)
param environmentName string

@description('Azure region for all resources. Defaults to the resource group\'s region.')
param location string = resourceGroup().location

@description('premium: Linux Elastic Premium plan, CPU ONNX Runtime. gpu: Functions on Container Apps with a GPU workload profile, CUDA ONNX Runtime.')
@allowed([
  'premium'
  'gpu'
])
param hosting string

@description('Tags added to every resource.')
param tags object = {
  application: 'urm'
  environment: environmentName
}

@description('Subscribe the app\'s blob triggers to storage events (Event Grid webhook with the host\'s blobs_extension key). false on the first deployment, before the app is published and has that key; deploy.sh deploys again with true.')
param subscribeFunctions bool = false

// ---- premium plan -----------------------------------------------------------------------------

@description('Elastic Premium size (premium hosting only).')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param premiumSku string = 'EP1'

@description('Most instances the Elastic Premium plan scales out to (premium hosting only).')
@minValue(1)
param premiumMaxInstances int = 10

// ---- gpu plan ---------------------------------------------------------------------------------

@description('Container Apps GPU workload profile type (gpu hosting only).')
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('vCPUs per replica on the GPU profile (gpu hosting only).')
param gpuCpu int = 8

@description('Memory per replica on the GPU profile (gpu hosting only).')
param gpuMemory string = '56Gi'

@description('Fewest replicas; 0 scales to zero between bursts (gpu hosting only).')
@minValue(0)
param gpuMinReplicas int = 0

@description('Most replicas (gpu hosting only).')
@minValue(1)
param gpuMaxReplicas int = 2

@description('Image to run (gpu hosting only). Empty: a public Functions quickstart image, so the first deployment succeeds before deploy.sh has pushed ours to the registry.')
param containerImage string = ''

// ---- Cosmos DB --------------------------------------------------------------------------------

@description('serverless (pay per request) or autoscale (provisioned, scales up to cosmosAutoscaleMaxThroughput).')
@allowed([
  'serverless'
  'autoscale'
])
param cosmosCapacityMode string = 'serverless'

@description('Maximum RU/s of each Cosmos DB container (cards, profiles, recommendations) when cosmosCapacityMode is autoscale.')
@minValue(1000)
param cosmosAutoscaleMaxThroughput int = 1000

// ---- Experiment ---------------------------------------------------------------------------------

@description('A/B split between model versions, `<modelVersion>=<share>,...` (Experiment__Arms, docs/EXPERIMENTS.md): every version must be in the models container before the app starts. Empty: no experiment, the served model answers everyone.')
param experimentArms string = ''

@description('Mixed into the hash that assigns shoppers to arms (Experiment__Salt); a new salt reshuffles every shopper. Empty: the arms\' versions joined by commas.')
param experimentSalt string = ''

// ---- Names: abbreviation + unique token, each can be overridden -------------------------------

@description('Storage account name override.')
@maxLength(24)
param storageAccountName string = 'sturm${uniqueString(resourceGroup().id, environmentName)}'

@description('Cosmos DB account name override.')
param cosmosAccountName string = 'cosmos-urm-${uniqueString(resourceGroup().id, environmentName)}'

@description('Log Analytics workspace name override.')
param logAnalyticsName string = 'log-urm-${uniqueString(resourceGroup().id, environmentName)}'

@description('Application Insights name override.')
param appInsightsName string = 'appi-urm-${uniqueString(resourceGroup().id, environmentName)}'

@description('User-assigned identity name override.')
param identityName string = 'id-urm-${uniqueString(resourceGroup().id, environmentName)}'

@description('Event Grid system topic name override.')
param eventGridTopicName string = 'evgst-urm-${uniqueString(resourceGroup().id, environmentName)}'

@description('Function app name override.')
param functionAppName string = 'func-urm-${uniqueString(resourceGroup().id, environmentName)}'

@description('Elastic Premium plan name override (premium hosting only).')
param planName string = 'asp-urm-${uniqueString(resourceGroup().id, environmentName)}'

@description('Container registry name override (gpu hosting only).')
param registryName string = 'crurm${uniqueString(resourceGroup().id, environmentName)}'

@description('Container Apps environment name override (gpu hosting only).')
param containerAppsEnvironmentName string = 'cae-urm-${uniqueString(resourceGroup().id, environmentName)}'

// ---- Derived values ---------------------------------------------------------------------------

var isGpu = hosting == 'gpu'

// A public image that starts a Functions host; replaced by ours on the next deploy.sh run.
var bootstrapImage = 'mcr.microsoft.com/azure-functions/dotnet8-quickstart-demo:1.0'

// App settings: identical names on both plans, identity-based connections only.
// docs/SETTINGS.md lists each with its meaning; a test checks that both lists match.
// APPLICATIONINSIGHTS_CONNECTION_STRING is added by the app module from the component itself; the
// component has local auth off, so host and worker ingest as the identity (the authentication string).
var appSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  AZURE_CLIENT_ID: identity.outputs.clientId
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identity.outputs.clientId}'
  AzureWebJobsStorage__accountName: storage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  CatalogStorage__blobServiceUri: 'https://${storage.outputs.name}.blob.${environment().suffixes.storage}'
  CatalogStorage__queueServiceUri: 'https://${storage.outputs.name}.queue.${environment().suffixes.storage}'
  CatalogStorage__credential: 'managedidentity'
  CatalogStorage__clientId: identity.outputs.clientId
  CardStore__Kind: 'cosmos'
  CardStore__CosmosEndpoint: cosmos.outputs.endpoint
  CardStore__Database: cosmos.outputs.databaseName
  CardStore__Container: cosmos.outputs.containerName
  Profiles__Container: cosmos.outputs.profilesContainerName
  Recommendations__Container: cosmos.outputs.recommendationsContainerName
  Models__Container: 'models'
  Onnx__ExecutionProvider: isGpu ? 'cuda' : 'cpu'
  // One thread per ONNX Runtime session: requests in parallel use the cores (see docs/SETTINGS.md).
  Onnx__IntraOpThreads: '1'
  // Always present, empty unless an experiment runs: the app reads an empty value as none.
  Experiment__Arms: experimentArms
  Experiment__Salt: experimentSalt
}

// ---- Modules ----------------------------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: logAnalyticsName
    appInsightsName: appInsightsName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    name: cosmosAccountName
    location: location
    tags: tags
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
  }
}

module registry 'modules/registry.bicep' = if (isGpu) {
  name: 'registry'
  params: {
    name: registryName
    location: location
    tags: tags
  }
}

module access 'modules/access.bicep' = {
  name: 'access'
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    cosmosAccountName: cosmos.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    registryName: isGpu ? registry!.outputs.name : ''
  }
}

module premiumApp 'modules/app-premium.bicep' = if (!isGpu) {
  name: 'app-premium'
  params: {
    planName: planName
    appName: functionAppName
    location: location
    tags: tags
    sku: premiumSku
    maximumElasticWorkerCount: premiumMaxInstances
    identityId: identity.outputs.id
    appInsightsName: monitoring.outputs.appInsightsName
    settings: appSettings
  }
  dependsOn: [
    access // roles exist before the host first reaches storage, Cosmos and Application Insights
  ]
}

module gpuApp 'modules/app-gpu.bicep' = if (isGpu) {
  name: 'app-gpu'
  params: {
    environmentName: containerAppsEnvironmentName
    appName: functionAppName
    location: location
    tags: tags
    gpuProfileType: gpuProfileType
    cpu: gpuCpu
    memory: gpuMemory
    minReplicas: gpuMinReplicas
    maxReplicas: gpuMaxReplicas
    image: empty(containerImage) ? bootstrapImage : containerImage
    identityId: identity.outputs.id
    workspaceId: monitoring.outputs.workspaceId
    appInsightsName: monitoring.outputs.appInsightsName
    settings: appSettings
  }
  dependsOn: [
    access // AcrPull must exist before the first image pull
  ]
}

module events 'modules/events.bicep' = {
  name: 'events'
  params: {
    topicName: eventGridTopicName
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    deadLetterContainerName: storage.outputs.deadLetterContainerName
    functionAppName: isGpu ? gpuApp!.outputs.name : premiumApp!.outputs.name
    subscribeFunctions: subscribeFunctions
  }
}

// ---- Outputs (names and endpoints only; never a key) ------------------------------------------

output functionAppName string = isGpu ? gpuApp!.outputs.name : premiumApp!.outputs.name
output functionAppUrl string = 'https://${isGpu ? gpuApp!.outputs.defaultHostName : premiumApp!.outputs.defaultHostName}'
output storageAccountName string = storage.outputs.name
output cosmosEndpoint string = cosmos.outputs.endpoint
output registryLoginServer string = isGpu ? registry!.outputs.loginServer : ''
output identityClientId string = identity.outputs.clientId
