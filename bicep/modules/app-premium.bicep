// hosting = 'premium': a Linux Elastic Premium plan running the app as a dotnet-isolated function app
// (code deployed by zip, CPU ONNX Runtime).

@description('Name of the App Service plan.')
param planName string

@description('Name of the function app.')
param appName string

@description('Azure region.')
param location string

param tags object

@description('Elastic Premium size: EP1 (1 vCPU, 3.5 GB), EP2 (2 vCPU, 7 GB), EP3 (4 vCPU, 14 GB).')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param sku string

@description('Most instances the plan scales out to.')
@minValue(1)
param maximumElasticWorkerCount int

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Name of the Application Insights component; its connection string becomes APPLICATIONINSIGHTS_CONNECTION_STRING.')
param appInsightsName string

@description('App settings shared by both plans (name to value), without the Application Insights connection string.')
param settings object

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

var appSettings = map(
  items(union(settings, { APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString })),
  s => { name: s.key, value: s.value }
)

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'elastic'
  sku: {
    name: sku
    tier: 'ElasticPremium'
  }
  properties: {
    reserved: true // Linux
    maximumElasticWorkerCount: maximumElasticWorkerCount
  }
}

resource app 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    reserved: true
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      alwaysOn: false // Elastic Premium keeps warm instances itself; alwaysOn does not apply.
      appSettings: appSettings
    }
  }
}

// No basic-auth publishing: deploy.sh's zip deploy signs in with Microsoft Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
