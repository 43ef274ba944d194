using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Urm.Http.Apis;
using Urm.Http.Json;
using Urm.Http.Problems;
using Urm.Http.Serving;

namespace Urm.Http;

/// <summary>The HTTP layer's registration: JSON conventions, problem details, the last-resort handler, the OpenAPI document.</summary>
public static class UrmHttpExtensions
{
    /// <summary>
    /// Everything the API's handlers need except the Core services themselves (a <see cref="Urm.Core.Models.ModelHost"/>
    /// whose models are activated with their cards, and an <see cref="Urm.Core.Features.ITextEncoder"/>), which each host registers.
    /// </summary>
    public static IServiceCollection AddUrmHttp(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => UrmJson.Apply(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<LastResortExceptionHandler>();
        services.AddSingleton<UrmServing>();
        services.AddOpenApi("v1", o => UrmOpenApi.Configure(o));
        return services;
    }

    /// <summary>The API's routes and /openapi/v1.json, behind the last-resort exception handler.</summary>
    public static WebApplication MapUrmHttp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapUrmApi();
        app.MapOpenApi();
        return app;
    }
}
