// The one user-assigned identity the app (and the Event Grid delivery) uses for every data-plane call.
// Its role assignments live in access.bicep, next to each other, so the list can be read in one place.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
