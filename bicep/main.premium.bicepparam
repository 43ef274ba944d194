// Linux Elastic Premium plan, CPU inference.
using 'main.bicep'

param environmentName = 'prod'
param hosting = 'premium'
param premiumSku = 'EP1'
param premiumMaxInstances = 10
param cosmosCapacityMode = 'serverless'
