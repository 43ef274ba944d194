using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Urm.Core.Profiles;
using Urm.Core.Serving;

namespace Urm.Http.Apis;

/// <summary>
/// The OpenAPI document's corrections: a stable title and no server address (the committed copy must
/// not depend on the port a run used), optional request fields shown as optional, and history in its
/// two accepted shapes (the custom converter hides it from the generator).
/// </summary>
public static class UrmOpenApi
{
    public static OpenApiOptions Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Urm recommendation API",
                Version = "v1",
                Description = "The same routes are served by the Functions app and by `urm serve`. Errors are RFC 9457 problem+json.",
            };
            document.Servers = [];
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = context.JsonTypeInfo.Type;
            if (type == typeof(RecommendRequest) || type == typeof(BusinessRules))
                schema.Required = new HashSet<string>();
            if (type == typeof(HistoryEvent))
                schema.Required = new HashSet<string> { "itemId" };
            if (type == typeof(IncomingEvent))
                schema.Required = new HashSet<string> { "itemId", "event" };
            if (type == typeof(RecommendRequest) && schema.Properties is { } properties)
                properties["history"] = History();
            return Task.CompletedTask;
        });
        return options;
    }

    private static OpenApiSchema History() => new()
    {
        Type = JsonSchemaType.Array | JsonSchemaType.Null,
        Description = "Oldest first (or ordered by timestamp when every event has one). Each entry is an item id, or an event object.",
        Items = new OpenApiSchema
        {
            AnyOf =
            [
                new OpenApiSchema { Type = JsonSchemaType.String, Description = "An item id (a view)." },
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "itemId" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["itemId"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["event"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "view (default), click, cart or purchase." },
                        ["timestamp"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "date-time" },
                    },
                },
            ],
        },
    };
}
