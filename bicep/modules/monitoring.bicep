// Log Analytics workspace, a workspace-based Application Insights component and the workbook of the
// app's own metrics. Local authentication is off: telemetry is ingested with Microsoft Entra ID only.
// Apps read the connection string from the component themselves (app modules use an
// `existing` reference), so it never passes through an output.

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Azure region.')
param location string

param tags object

@description('Days the workspace keeps logs.')
@minValue(30)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    // Ingestion with Microsoft Entra ID only: the host and the worker sign in with the app identity
    // (Monitoring Metrics Publisher, access.bicep; APPLICATIONINSIGHTS_AUTHENTICATION_STRING), and the
    // instrumentation key in the connection string no longer suffices to send telemetry.
    DisableLocalAuth: true
  }
}

// The workbook's queries are the files in ../workbook/ (docs/OPERATIONS.md shows the same text): the
// app's metrics (customMetrics) and the times it puts on each recommend request's span.
var workbookQueries = [
  {
    name: 'recommend-latency-percentiles'
    title: 'Recommend latency by task: model and retrieval, p50 / p95 / p99 (ms)'
    visualization: 'table'
    query: loadTextContent('../workbook/recommend-latency-percentiles.kql')
  }
  {
    name: 'recommend-latency-mean'
    title: 'Recommend latency over time: mean by task, model and retrieval (ms)'
    visualization: 'timechart'
    query: loadTextContent('../workbook/recommend-latency-mean.kql')
  }
  {
    name: 'events-ingested'
    title: 'Events ingested per hour, by outcome'
    visualization: 'barchart'
    query: loadTextContent('../workbook/events-ingested.kql')
  }
  {
    name: 'catalog-runs'
    title: 'Catalog runs by outcome and their items, per day'
    visualization: 'table'
    query: loadTextContent('../workbook/catalog-runs.kql')
  }
  {
    name: 'cards-served'
    title: 'Cards served, by model version'
    visualization: 'timechart'
    query: loadTextContent('../workbook/cards-served.kql')
  }
]

var workbookContent = {
  version: 'Notebook/1.0'
  items: concat(
    [
      {
        type: 1
        name: 'about'
        content: {
          json: '## Urm\nRecommend latency split into the model (user vectors) and the retrieval (rules, scan), events ingested, catalog runs and cards served: the app\'s own metrics (docs/OPERATIONS.md, "Telemetry").'
        }
      }
      {
        type: 9
        name: 'parameters'
        content: {
          version: 'KqlParameterItem/1.0'
          parameters: [
            {
              id: '5d0f7c1e-6b1a-4c49-9d55-2f0b8d1c7a01'
              version: 'KqlParameterItem/1.0'
              name: 'TimeRange'
              label: 'Time range'
              type: 4
              isRequired: true
              value: { durationMs: 86400000 }
              typeSettings: {
                selectableValues: [
                  { durationMs: 3600000 }
                  { durationMs: 86400000 }
                  { durationMs: 604800000 }
                  { durationMs: 2592000000 }
                ]
              }
            }
          ]
        }
      }
    ],
    map(workbookQueries, q => {
      type: 3
      name: q.name
      content: {
        version: 'KqlItem/1.0'
        title: q.title
        query: q.query
        size: 0
        queryType: 0
        resourceType: 'microsoft.insights/components'
        timeContextFromParameter: 'TimeRange'
        visualization: q.visualization
      }
    })
  )
  fallbackResourceIds: [
    appInsights.id
  ]
  '$schema': 'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json'
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(appInsights.id, 'urm-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Urm: recommendations, events, catalog runs'
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: string(workbookContent)
    version: '1.0'
  }
}

output workspaceId string = workspace.id
output appInsightsName string = appInsights.name
