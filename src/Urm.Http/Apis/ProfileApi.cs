using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Urm.Core.Profiles;
using Urm.Core.Serving;
using Urm.Core.Text;
using Urm.Http.Json;
using Urm.Http.Problems;
using Urm.Http.Serving;

namespace Urm.Http.Apis;

/// <summary>
/// Shopper events and profiles (DESIGN.md, "HTTP API"): the route table first, then the handlers. They
/// need no model: events are taken and profiles read while no model is active. Like every handler, none
/// lets an exception out.
/// </summary>
public static class ProfileApi
{
    public const string EventsRoute = "/api/events";
    public const string UserRoute = "/api/users/{id}";

    public static RouteGroupBuilder MapProfileApi(this RouteGroupBuilder api)
    {
        api.MapPost(EventsRoute, (HttpRequest request, ProfileServing profiles, CancellationToken cancellationToken) => PostEventsAsync(request, profiles, cancellationToken))
            .WithName("PostEvents")
            .WithSummary("Store a batch of shopper events, each accepted, duplicate or rejected on its own")
            .WithDescription("Up to 500 events. A body that is not a batch is a 400 problem and nothing is stored; otherwise each event's outcome is listed in 'results' (index, eventId, status, errors). When every event is rejected the answer is a 400 problem whose 'errors' name each event and field. An event with both userId and sessionId merges the session's stored events into the user.")
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The batch (camelCase JSON, at most 1 MiB).",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(EventBatchRequest), null, cancellationToken) },
                    },
                })
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet(UserRoute, (string id, ProfileServing profiles, HttpContext context, CancellationToken cancellationToken) => GetUserAsync(id, profiles, cancellationToken, context))
            .WithName("GetUser")
            .WithSummary("A user's stored profile: recent events, newest last")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapDelete(UserRoute, (string id, ProfileServing profiles, HttpContext context, CancellationToken cancellationToken) => DeleteUserAsync(id, profiles, cancellationToken, context))
            .WithName("DeleteUser")
            .WithSummary("Erase a user's profile and events (an erasure request)")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    public static async Task<Results<Ok<EventBatchResult>, ProblemHttpResult>> PostEventsAsync(HttpRequest request, ProfileServing profiles, CancellationToken cancellationToken)
    {
        try
        {
            var (batch, problem) = await EventBatchReader.ReadAsync(request, profiles.Service.Validator.Limits.MaxBatch, cancellationToken).ConfigureAwait(false);
            if (problem is not null) return problem;
            var result = await profiles.Service.IngestAsync(batch!.Events, batch.ReadErrors, cancellationToken).ConfigureAwait(false);
            if (result.Rejected == result.Results.Count)
                return ApiProblems.BadRequest(
                    result.Rejected == 1 ? $"The event was rejected: {result.Results[0].Errors![0].Field}: {result.Results[0].Errors![0].Message}" : $"All {result.Rejected} events were rejected; each problem is listed in 'errors' with the event and field to fix.",
                    result.Results.SelectMany(r => r.Errors ?? []).ToList());
            return TypedResults.Ok(result);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return UrmApi.Fault(profiles.Logger, request.HttpContext, e);
        }
    }

    public static async Task<Results<Ok<ProfileView>, ProblemHttpResult>> GetUserAsync(string id, ProfileServing profiles, CancellationToken cancellationToken, HttpContext? context)
    {
        try
        {
            if (BadId(id, profiles) is { } bad) return bad;
            var profile = await profiles.Service.GetUserAsync(id, cancellationToken).ConfigureAwait(false);
            return profile is null
                ? ApiProblems.NotFound($"No profile is stored for user '{Quoting.Shorten(id, 80)}': no event of theirs was received, or it was erased or has expired.")
                : TypedResults.Ok(ProfileView.From(profile));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return UrmApi.Fault(profiles.Logger, context, e);
        }
    }

    public static async Task<Results<Ok<ErasureView>, ProblemHttpResult>> DeleteUserAsync(string id, ProfileServing profiles, CancellationToken cancellationToken, HttpContext? context)
    {
        try
        {
            if (BadId(id, profiles) is { } bad) return bad;
            var erased = await profiles.Service.EraseUserAsync(id, cancellationToken).ConfigureAwait(false);
            return TypedResults.Ok(new ErasureView(id.Trim(), erased.ProfileEvents, erased.ArchivedEvents, erased.AnonymisedRecommendations));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return UrmApi.Fault(profiles.Logger, context, e);
        }
    }

    private static ProblemHttpResult? BadId(string id, ProfileServing profiles)
    {
        var limit = profiles.Service.Validator.Limits.MaxIdLength;
        return string.IsNullOrWhiteSpace(id) || id.Length > limit
            ? ApiProblems.BadRequest($"The user id must be 1 to {limit} characters.", [new FieldError("id", $"A user id is 1 to {limit} characters.")])
            : null;
    }
}

/// <summary>The body of POST /api/events, for the OpenAPI document (the handler reads it with <see cref="EventBatchReader"/>).</summary>
public sealed record EventBatchRequest(IReadOnlyList<IncomingEvent> Events);
