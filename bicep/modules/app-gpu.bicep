// hosting = 'gpu': Azure Functions on Azure Container Apps. A Container Apps environment with a
// serverless GPU workload profile, and the Functions app as a Microsoft.Web/sites resource of kind
// 'functionapp,linux,container,azurecontainerapps' placed in that environment (the documented
// shape for Functions on Container Apps; see docs/DEPLOY.md for the newer Microsoft.App
// kind=functionapp alternative). The image comes from our registry, pulled with the managed identity.

@description('Name of the Container Apps environment.')
param environmentName string

@description('Name of the function app.')
param appName string

@description('Azure region (must offer serverless GPUs for the chosen profile).')
param location string

param tags object

@description('GPU workload profile type, e.g. Consumption-GPU-NC8as-T4 or Consumption-GPU-NC24-A100.')
param gpuProfileType string

@description('vCPUs per replica on the GPU profile (NC8as-T4: up to 8).')
param cpu int

@description('Memory per replica on the GPU profile, e.g. 56Gi for NC8as-T4.')
param memory string

@description('Fewest replicas (0 allows scale to zero; 1 avoids cold starts).')
@minValue(0)
param minReplicas int

@description('Most replicas.')
@minValue(1)
param maxReplicas int

@description('Full image reference, e.g. myregistry.azurecr.io/urm-functions:20260101.1.')
param image string

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Resource id of the Log Analytics workspace that receives the environment\'s logs.')
param workspaceId string

@description('Name of the Application Insights component; its connection string becomes APPLICATIONINSIGHTS_CONNECTION_STRING.')
param appInsightsName string

@description('App settings shared by both plans (name to value), without the Application Insights connection string.')
param settings object

// Name of the GPU workload profile inside the environment.
var gpuProfileName = 'gpu'

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

var appSettings = map(
  items(union(settings, { APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString })),
  s => { name: s.key, value: s.value }
)

resource environment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    // Logs go through Azure Monitor diagnostic settings below, so no workspace shared key is
    // needed here (the 'log-analytics' destination would require listKeys on the workspace).
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      {
        name: gpuProfileName
        workloadProfileType: gpuProfileType
      }
    ]
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: environment
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

resource app 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux,container,azurecontainerapps'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: environment.id
    workloadProfileName: gpuProfileName
    resourceConfig: {
      cpu: cpu
      memory: memory
    }
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: 'DOCKER|${image}'
      acrUseManagedIdentityCreds: true
      acrUserManagedIdentityID: identityId
      minimumElasticInstanceCount: minReplicas
      functionAppScaleLimit: maxReplicas
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: appSettings
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
