// Storage account for the Functions host (AzureWebJobsStorage) and the app's data:
// catalog uploads, run reports, model packages, cached raw features, the shoppers' accepted events (the
// training archive, events/yyyy/MM/dd/*.jsonl), and the catalog chunk queues.
// The blob triggers' own queue (poison blobs) is created by the Functions host through its Storage Queue
// Data Contributor role.
// Shared keys are off: every caller uses Microsoft Entra ID.

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

param tags object

@description('Days deleted blobs and containers are kept for recovery.')
@minValue(1)
@maxValue(365)
param softDeleteDays int = 7

@description('Days after which a catalog run\'s working files (catalog-runs/) are deleted.')
@minValue(1)
@maxValue(365)
param runFilesDays int = 7

// Blob containers the app uses (docs/SETTINGS.md and DESIGN.md name them), and the one Event Grid
// writes undeliverable blob events to (events.bicep; only the system topic's identity writes there).
var deadLetterContainerName = 'event-deadletter'
var containerNames = [
  'catalog'
  'catalog-reports'
  'catalog-runs'
  'models'
  'features'
  'events'
  deadLetterContainerName
]

// Catalog encoding fans out: the coordinator sends one message per chunk to this queue and queue-triggered
// workers on any instance encode them (connection CatalogStorage). After maxDequeueCount failed dequeues
// (host.json) the Functions host moves a message to '<queue>-poison', the name it derives, where another
// function fails the run. Both are declared here so the names are fixed and the app needs no create rights.
var chunkQueueName = 'catalog-chunks'
var queueNames = [
  chunkQueueName
  '${chunkQueueName}-poison'
]

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// A catalog run's working files (plan, chunks, chunk results) matter only until the run finishes, within
// hours; runFilesDays later they are deleted, so large catalogs' chunks do not pile up.
resource managementPolicy 'Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-catalog-runs'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [ 'blockBlob' ]
              prefixMatch: [ 'catalog-runs/' ]
            }
            actions: {
              baseBlob: {
                delete: { daysAfterModificationGreaterThan: runFilesDays }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [ containers ]
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output deadLetterContainerName string = deadLetterContainerName
