using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Urm.Core.Kpi;
using Urm.Http.Problems;
using Urm.Http.Serving;

namespace Urm.Http.Apis;

/// <summary>
/// Attribution KPIs (DESIGN.md, "HTTP API"): the route, then its handler. It needs no model: the log and the
/// archive are read whatever is active. Like every handler, it lets no exception out.
/// </summary>
public static class KpiApi
{
    public const string KpiRoute = "/api/kpi";

    public static RouteGroupBuilder MapKpiApi(this RouteGroupBuilder api)
    {
        // from and to bound as strings (so the OpenAPI document lists them): the handler parses them, and a bad one is a 400 naming it.
        api.MapGet(KpiRoute, (string? from, string? to, KpiServing kpi, HttpContext context, CancellationToken cancellationToken)
                => GetKpiAsync(from, to, kpi, cancellationToken, context))
            .WithName("GetKpi")
            .WithSummary("Recommendations served, items shown and click, add-to-cart and purchase rates per experiment arm, model version and task")
            .WithDescription("from and to (ISO 8601, [from, to), a time without an offset is UTC) default to the last 7 days. A rate is the share of recommendations served in the range with at least one attributed event of its kind: an event that names the recommendationId, on an item it showed, by the same shopper, within Kpi__AttributionWindow after it. Answers given outside an experiment have arm null. With two arms or more, comparisons holds each arm's click-through minus arm A's, for all tasks together (task null) and per task, with its 95 % interval (Newcombe's hybrid score interval). A bad from or to is a 400 problem naming the field.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    /// <param name="from">The query's from, or null (a repeated parameter is taken as its text joined by commas, which is no date).</param>
    public static async Task<Results<Ok<KpiView>, ProblemHttpResult>> GetKpiAsync(string? from, string? to, KpiServing kpi, CancellationToken cancellationToken, HttpContext? context)
    {
        try
        {
            if (!KpiQuery.TryParse(from, to, kpi.Time.GetUtcNow(), out var range, out var errors)) return ApiProblems.Invalid(errors);
            return TypedResults.Ok(KpiView.Of(await kpi.Service.ReportAsync(range.From, range.To, cancellationToken).ConfigureAwait(false)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return UrmApi.Fault(kpi.Logger, context, e);
        }
    }
}
