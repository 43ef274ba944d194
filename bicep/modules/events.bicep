// Event Grid system topic on the storage account, and (once the app runs) two subscriptions for
// BlobCreated that post to the blob extension's webhook, so the app's blob triggers
// (Source = BlobTriggerSource.EventGrid) start within seconds of an upload, without polling:
//   catalog/....jsonl|.ndjson|.json|.csv -> function EncodeCatalog (nothing else under catalog/)
//   models/active.json                   -> function ActivateModel
//
// Two passes (infra/deploy.sh): the webhook URL carries the `blobs_extension` system key, read here
// with listKeys on the app's host. That key exists only after the host has started with the
// blob-triggered functions deployed, and Event Grid validates the endpoint when a subscription is
// created. So the first deployment creates the topic alone (subscribeFunctions = false); deploy.sh
// publishes the app, waits for the key, and deploys again with subscribeFunctions = true. The key
// is read at deployment time and never stored in the template, a parameter or an output.
//
// Dead letters: an event Event Grid cannot deliver is written as a blob to the dead-letter container
// (names carry the subscription name in upper case, then <y>/<m>/<d>/<h>/): at once when the webhook
// answers 400, 401, 403 or 413 (a rotated blobs_extension key gives 401), or once the retry policy
// runs out (the app unreachable or failing with 404/5xx for a day). The
// storage account has shared keys off, so the topic writes with its own system-assigned identity,
// which holds Storage Blob Data Contributor on that one container and nothing else. The topic and
// that role exist from the first pass, before any subscription names them.

@description('Name of the Event Grid system topic.')
param topicName string

@description('Azure region (the storage account\'s region).')
param location string

param tags object

@description('Name of the storage account whose blob events are published.')
param storageAccountName string

@description('Blob container in that storage account that receives events which cannot be delivered.')
param deadLetterContainerName string

@description('Name of the function app whose blob triggers receive the events.')
param functionAppName string

@description('Create the webhook subscriptions (second pass of deploy.sh, once the app has started and has its blobs_extension key).')
param subscribeFunctions bool

// Only catalog files start a catalog run: an image or any other blob under catalog/ is not delivered.
// These are the extensions the app reads as a catalog (Urm.Core CatalogFormats); Event Grid compares
// them without regard to case, as the app does.
var catalogSuffixes = [
  '.jsonl'
  '.ndjson'
  '.json'
  '.csv'
]

var subscriptions = [
  {
    name: 'catalog-uploads'
    filter: {
      includedEventTypes: [ 'Microsoft.Storage.BlobCreated' ]
      subjectBeginsWith: '/blobServices/default/containers/catalog/'
      advancedFilters: [
        {
          operatorType: 'StringEndsWith'
          key: 'subject'
          values: catalogSuffixes
        }
      ]
    }
    functionName: 'EncodeCatalog'
  }
  {
    name: 'model-pointer'
    // Begins and ends with the pointer's name: models/active.json itself, not active.json.bak.
    filter: {
      includedEventTypes: [ 'Microsoft.Storage.BlobCreated' ]
      subjectBeginsWith: '/blobServices/default/containers/models/blobs/active.json'
      subjectEndsWith: '/blobs/active.json'
    }
    functionName: 'ActivateModel'
  }
]

// Built-in role (the same id in every tenant): Storage Blob Data Contributor.
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetterContainer 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

resource app 'Microsoft.Web/sites@2024-11-01' existing = {
  name: functionAppName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: topicName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// The topic may write dead letters to their container, and to nothing else in the account.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::deadLetterContainer.id, topic.id, storageBlobDataContributorRoleId)
  scope: storage::blobService::deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource subscriptionsOnTopic 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = [
  for sub in subscriptions: if (subscribeFunctions) {
    parent: topic
    name: sub.name
    properties: {
      eventDeliverySchema: 'EventGridSchema'
      filter: sub.filter
      destination: {
        endpointType: 'WebHook'
        properties: {
          endpointUrl: 'https://${app.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${sub.functionName}&code=${listKeys('${app.id}/host/default', app.apiVersion).systemKeys.blobs_extension}'
          maxEventsPerBatch: 1
          preferredBatchSizeInKilobytes: 64
        }
      }
      // Event Grid's defaults, kept explicit: retries with back-off for up to a day, then dead-letter.
      retryPolicy: {
        maxDeliveryAttempts: 30
        eventTimeToLiveInMinutes: 1440
      }
      deadLetterWithResourceIdentity: {
        identity: {
          type: 'SystemAssigned'
        }
        deadLetterDestination: {
          endpointType: 'StorageBlob'
          properties: {
            resourceId: storage.id
            blobContainerName: deadLetterContainerName
          }
        }
      }
    }
    dependsOn: [
      deadLetterWriter // the topic may write dead letters before the first event can need it
    ]
  }
]
