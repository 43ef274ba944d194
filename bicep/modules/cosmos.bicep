// Cosmos DB for NoSQL: the card store, the shoppers' profiles and the recommendation log. Keys are disabled; the app signs in
// with its identity (Cosmos DB Built-in Data Contributor on the account, assigned in access.bicep,
// which covers both containers).

@description('Name of the Cosmos DB account.')
param name string

@description('Azure region.')
param location string

param tags object

@description('serverless: pay per request, good for small or bursty catalogs. autoscale: provisioned throughput that scales between 10% and 100% of the maximum.')
@allowed([
  'serverless'
  'autoscale'
])
param capacityMode string

@description('Maximum RU/s of each container (cards, profiles, recommendations) when capacityMode is autoscale (multiple of 1000).')
@minValue(1000)
param autoscaleMaxThroughput int

var databaseName = 'urm'
var containerName = 'cards'
var profilesContainerName = 'profiles'
var recommendationsContainerName = 'recommendations'

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    capabilities: capacityMode == 'serverless' ? [{ name: 'EnableServerless' }] : []
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2025-04-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
  }
}

// Partition key /pk: the adapter writes a hashed bucket of the item id (a small fixed number of
// buckets), not the id itself. Partitions stay small and evenly filled, and the serving side can
// load every card with one query per bucket instead of a cross-partition scan per item.
resource cards 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = {
  parent: database
  name: containerName
  properties: {
    resource: {
      id: containerName
      partitionKey: {
        paths: [ '/pk' ]
        kind: 'Hash'
        version: 2
      }
      indexingPolicy: {
        indexingMode: 'consistent'
        includedPaths: [ { path: '/*' } ]
        // Vectors are read whole, never filtered on: keep them out of the index.
        excludedPaths: [ { path: '/vector/*' }, { path: '/"_etag"/?' } ]
      }
    }
    options: capacityMode == 'autoscale' ? { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } } : {}
  }
}

// Shoppers' recent events (POST /api/events): partition key /pk is the profile, `user:<id>` or
// `session:<id>`, so every read, append, merge and erasure stays in one logical partition. TTL is on
// with no default (-1): only documents that carry a `ttl` (Profiles__EventTtl) expire. The store
// filters on /pk only, so only /pk is indexed (cheaper writes).
resource profiles 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = {
  parent: database
  name: profilesContainerName
  properties: {
    resource: {
      id: profilesContainerName
      partitionKey: {
        paths: [ '/pk' ]
        kind: 'Hash'
        version: 2
      }
      defaultTtl: -1
      indexingPolicy: {
        indexingMode: 'consistent'
        includedPaths: [ { path: '/pk/?' } ]
        excludedPaths: [ { path: '/*' } ]
      }
    }
    options: capacityMode == 'autoscale' ? { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } } : {}
  }
}

// Served recommendations (every POST /api/recommend answer), for attribution and KPIs: partition key
// /pk is the answer's UTC day and one of 16 id buckets, so a KPI range reads single partitions. TTL on with
// no default (-1): each record carries its `ttl` (Recommendations__Ttl, 90 days unless set). A record that
// names a shopper has a mark in the partition shopper|<user or session> (same ttl), which an erasure reads.
// Queries filter on /pk and /ticks only, so only those are indexed.
resource recommendations 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = {
  parent: database
  name: recommendationsContainerName
  properties: {
    resource: {
      id: recommendationsContainerName
      partitionKey: {
        paths: [ '/pk' ]
        kind: 'Hash'
        version: 2
      }
      defaultTtl: -1
      indexingPolicy: {
        indexingMode: 'consistent'
        includedPaths: [ { path: '/pk/?' }, { path: '/ticks/?' } ]
        excludedPaths: [ { path: '/*' } ]
      }
    }
    options: capacityMode == 'autoscale' ? { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } } : {}
  }
}

output id string = account.id
output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
output containerName string = cards.name
output profilesContainerName string = profiles.name
output recommendationsContainerName string = recommendations.name
