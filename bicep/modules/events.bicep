// Event Grid system topic on the storage account, and two subscriptions for BlobCreated:
//   catalog uploads          -> queue `catalog-events`
//   models/active.json (the model pointer) -> queue `model-events`
//
// Why storage queues and not the blob extension's webhook
// (https://<app>/runtime/webhooks/blobs?functionName=...&code=<blobs_extension key>):
// - The webhook needs the `blobs_extension` system key, read with listKeys on the app's host at
//   deployment time. That key only exists once the host has started with the blob-triggered
//   function deployed, which is after this template runs (zip deploy / image update come later in
//   deploy.sh), and Event Grid validates a webhook endpoint when the subscription is created: a
//   first deployment into an empty resource group fails or needs a second pass.
// - For Functions on Container Apps (the gpu plan) reading host keys through
//   Microsoft.Web/sites/host listKeys is not documented; relying on it would make the two plans
//   differ in their most important trigger.
// - A queue destination needs no key at all: Event Grid delivers with a managed identity, the
//   events wait in the queue while the app is down, scale out, or is being deployed, and the same
//   queue-triggered function code runs on both plans (connection `CatalogStorage`, identity-based).
// The trade-off: the app's catalog function is a QueueTrigger over Event Grid BlobCreated events
// (it then reads the blob by URL) instead of BlobTrigger(Source = BlobTriggerSource.EventGrid).
//
// Delivery uses the app's user-assigned identity: its Storage Queue Data Contributor role on the
// account (access.bicep) covers sending messages, so no extra role assignment (and no
// role-propagation race with a fresh system-assigned identity) is needed.

@description('Name of the Event Grid system topic.')
param topicName string

@description('Azure region (the storage account\'s region).')
param location string

param tags object

@description('Name of the storage account whose blob events are published.')
param storageAccountName string

@description('Resource id of the user-assigned identity Event Grid delivers with.')
param identityId string

// Seven days: the longest a storage queue message may live when it has a finite lifetime.
var queueMessageTimeToLiveInSeconds = 604800

var subscriptions = [
  {
    name: 'catalog-uploads'
    subjectBeginsWith: '/blobServices/default/containers/catalog/'
    queueName: 'catalog-events'
  }
  {
    name: 'model-pointer'
    subjectBeginsWith: '/blobServices/default/containers/models/blobs/active.json'
    queueName: 'model-events'
  }
]

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: topicName
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource subscriptionsOnTopic 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = [
  for sub in subscriptions: {
    parent: topic
    name: sub.name
    properties: {
      eventDeliverySchema: 'EventGridSchema'
      filter: {
        includedEventTypes: [ 'Microsoft.Storage.BlobCreated' ]
        subjectBeginsWith: sub.subjectBeginsWith
      }
      deliveryWithResourceIdentity: {
        identity: {
          type: 'UserAssigned'
          userAssignedIdentity: identityId
        }
        destination: {
          endpointType: 'StorageQueue'
          properties: {
            resourceId: storage.id
            queueName: sub.queueName
            queueMessageTimeToLiveInSeconds: queueMessageTimeToLiveInSeconds
          }
        }
      }
      retryPolicy: {
        maxDeliveryAttempts: 30
        eventTimeToLiveInMinutes: 1440
      }
    }
  }
]
