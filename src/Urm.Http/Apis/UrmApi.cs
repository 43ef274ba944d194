using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using Microsoft.AspNetCore.OpenApi;
using Urm.Core.Profiles;
using Urm.Core.Serving;
using Urm.Http.Json;
using Urm.Http.Problems;
using Urm.Http.Serving;

namespace Urm.Http.Apis;

/// <summary>
/// The HTTP API (DESIGN.md, "HTTP API"): the route table first, then one static handler per route.
/// `urm serve` maps this table; the Functions app's HTTP functions call the same handlers. A handler
/// never lets an exception out: bad input is a 400 problem, a missing model a 503, a fault a 500
/// problem with a trace id and nothing of the exception.
/// </summary>
public static class UrmApi
{
    public const string RecommendRoute = "/api/recommend";
    public const string ItemRoute = "/api/items/{id}";
    public const string HealthRoute = "/api/health";

    public static RouteGroupBuilder MapUrmApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("").WithTags("Urm");
        api.MapPost(RecommendRoute, (HttpRequest request, UrmServing serving, CancellationToken cancellationToken) => RecommendAsync(request, serving, cancellationToken))
            .WithName("Recommend")
            .WithSummary("Recommend k items for a history, a task and rules")
            .WithDescription("history may be an array of {itemId, event, timestamp} objects or of plain item ids. Every answer carries a recommendationId: send it with the shopper's events on its items (POST /api/events) and they count towards GET /api/kpi. During an experiment (Experiment__Arms) the shopper's userId, else sessionId, picks their arm by a fixed hash, the arm's model answers, and arm names it (A, B, …); a request with neither id is answered by the primary model with arm null. With userId (or sessionId) the shopper's stored events come first and the sent history after them; storedEvents and sentEvents in the answer say how many of each were read. Every bad request is a 400 problem+json with an 'errors' list of {field, message}.")
            // The body is read by the handler (so every bad one is a 400 problem, never the framework's 415): describe it here.
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The recommend request (camelCase JSON, at most 256 KiB).",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(RecommendRequest), null, cancellationToken) },
                    },
                })
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet(ItemRoute, (string id, UrmServing serving, HttpContext context, CancellationToken cancellationToken) => GetItemAsync(id, serving, cancellationToken, context))
            .WithName("GetItem")
            .WithSummary("One item's card as served (without its vector)")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet(HealthRoute, (UrmServing serving, HttpContext context, CancellationToken cancellationToken) => HealthAsync(serving, cancellationToken, context))
            .WithName("Health")
            .WithSummary("Model version, card count, catalog version and execution provider; during an experiment, each arm's model and cards")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapProfileApi();
        api.MapKpiApi();
        return api;
    }

    public static async Task<Results<Ok<RecommendResponse>, ProblemHttpResult>> RecommendAsync(HttpRequest request, UrmServing serving, CancellationToken cancellationToken)
    {
        try
        {
            var (body, problem) = await RecommendBodyReader.ReadAsync(request, cancellationToken).ConfigureAwait(false);
            if (problem is not null) return problem;
            if (!serving.Validator.TryValidate(body, out var valid, out var errors)) return ApiProblems.Invalid(errors);
            using var scope = serving.TryOpen(valid.Request);
            if (scope is null) return NoModel(request.HttpContext);
            if (serving.Profiles is { } profiles) valid = await ProfileHistory.WithStoredAsync(profiles, valid, cancellationToken).ConfigureAwait(false);
            var response = await scope.RecommendAsync(valid, cancellationToken).ConfigureAwait(false);
            return TypedResults.Ok(await serving.RecordAsync(valid, response, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Fault(serving, request.HttpContext, e);
        }
    }

    public static async Task<Results<Ok<ItemView>, ProblemHttpResult>> GetItemAsync(string id, UrmServing serving, CancellationToken cancellationToken, HttpContext context)
    {
        try
        {
            var limit = serving.Validator.Limits.MaxIdLength;
            if (string.IsNullOrWhiteSpace(id) || id.Length > limit)
                return ApiProblems.BadRequest($"The item id must be 1 to {limit} characters.", [new FieldError("id", $"An item id is 1 to {limit} characters.")]);
            using var scope = serving.TryOpen();
            if (scope is null) return NoModel(context);
            var card = await scope.Service.GetItemAsync(id, cancellationToken).ConfigureAwait(false);
            return card is null
                ? ApiProblems.NotFound($"No servable item has the id '{(id.Length <= 80 ? id : id[..80] + "…")}': it is not in the catalog, was retired, or its card is not fused by the active model yet.")
                : TypedResults.Ok(ItemView.From(card));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Fault(serving, context, e);
        }
    }

    public static async Task<Results<Ok<HealthView>, ProblemHttpResult>> HealthAsync(UrmServing serving, CancellationToken cancellationToken, HttpContext context)
    {
        try
        {
            using var scope = serving.TryOpen();
            if (scope is null) return NoModel(context);
            var health = await scope.Service.GetHealthAsync(cancellationToken).ConfigureAwait(false);
            return TypedResults.Ok(HealthView.From(health, await serving.ArmHealthAsync(cancellationToken).ConfigureAwait(false)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Fault(serving, context, e);
        }
    }

    private static ProblemHttpResult NoModel(HttpContext? context)
        => ApiProblems.NotReady("No model is active yet: upload a model package (models/<version>/ and models/active.json), or start `urm serve` with --model.",
            TimeSpan.FromSeconds(30), context);

    private static ProblemHttpResult Fault(UrmServing serving, HttpContext? context, Exception error) => Fault(serving.Logger, context, error);

    /// <summary>An exception out of a handler, logged (with the trace id) and answered as a 503 or 500 problem.</summary>
    internal static ProblemHttpResult Fault(ILogger logger, HttpContext? context, Exception error)
    {
        var traceId = System.Diagnostics.Activity.Current?.Id ?? context?.TraceIdentifier;
        if (error is ServiceNotReadyException) logger.LogWarning("Request not answered yet (trace {TraceId}): {Reason}", traceId, error.Message);
        else logger.LogError(error, "Request failed (trace {TraceId})", traceId);
        return ApiProblems.ForException(error, traceId, context);
    }
}
