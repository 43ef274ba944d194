using System.Diagnostics;
using System.Diagnostics.Metrics;
using Urm.Core.Cards;
using Urm.Core.Models.Runtime;
using Urm.Core.Profiles;

namespace Urm.Core.Telemetry;

/// <summary>
/// The service's own metrics, on one <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="MeterName"/>:
/// recommend latency with the model's user-vector pass and the retrieval apart, by task; the cards served;
/// events ingested by outcome; catalog runs by outcome and their items. Both hosts record the same ones
/// where the work happens (Core); the Functions app exports the meter to Application Insights
/// (customMetrics), `urm serve` to whatever listens (dotnet-counters). docs/OPERATIONS.md, "Telemetry",
/// lists them with their queries.
/// </summary>
public sealed class UrmMetrics
{
    public const string MeterName = "Urm";

    public const string RecommendModelDuration = "urm.recommend.model.duration";
    public const string RecommendRetrievalDuration = "urm.recommend.retrieval.duration";
    public const string CardsServed = "urm.cards.served";
    public const string EventsIngested = "urm.events.ingested";
    public const string CatalogRuns = "urm.catalog.runs";
    public const string CatalogItems = "urm.catalog.items";

    /// <summary>Tag of the recommend histograms: the request's task (next-item, similar, ...).</summary>
    public const string TaskTag = "task";

    /// <summary>Tag of <see cref="EventsIngested"/> (an <see cref="EventOutcome"/> status) and of <see cref="CatalogRuns"/>.</summary>
    public const string OutcomeTag = "outcome";

    /// <summary>Tag of <see cref="CatalogItems"/>: what became of the items (encoded, skipped, failed, retired).</summary>
    public const string ResultTag = "result";

    /// <summary>Tag of <see cref="CardsServed"/>: the model version whose cards they are (an experiment serves several).</summary>
    public const string ModelTag = "model";

    public const string RunCompleted = "completed";
    /// <summary>Finished, but the retire limit held back the items the snapshot lacks (the report's warning).</summary>
    public const string RunRetireWithheld = "retire-withheld";
    /// <summary>The catalog as a whole was unusable (no valid row, unreadable): nothing was encoded.</summary>
    public const string RunRejected = "rejected";
    /// <summary>The run stopped on an error (a chunk that failed every delivery, an exception in `urm serve`).</summary>
    public const string RunFailed = "failed";

    public const string ItemsEncoded = "encoded";
    public const string ItemsSkipped = "skipped";
    public const string ItemsFailed = "failed";
    public const string ItemsRetired = "retired";

    private readonly Histogram<double> _model;
    private readonly Histogram<double> _retrieval;
    private readonly Counter<long> _events;
    private readonly Counter<long> _runs;
    private readonly Counter<long> _items;
    private readonly Lock _hostsLock = new();
    private readonly List<ModelHost> _hosts = [];

    public UrmMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(MeterName);
        _model = Meter.CreateHistogram<double>(RecommendModelDuration, "ms", "The model's part of a recommend request: prompt and history to user vectors (user.onnx).");
        _retrieval = Meter.CreateHistogram<double>(RecommendRetrievalDuration, "ms", "The retrieval part of a recommend request: rules, the scan over the cards, explanations.");
        _events = Meter.CreateCounter<long>(EventsIngested, "{event}", "Shopper events of POST /api/events, by outcome: accepted, duplicate or rejected.");
        _runs = Meter.CreateCounter<long>(CatalogRuns, "{run}", "Catalog runs ended, by outcome: completed, retire-withheld, rejected or failed.");
        _items = Meter.CreateCounter<long>(CatalogItems, "{item}", "Items of finished catalog runs: encoded, skipped (unchanged), failed (rejected rows), retired.");
        Meter.CreateObservableGauge(CardsServed, ObserveCards, "{card}", "Cards in the current snapshot of each served model.");
    }

    /// <summary>The meter every instrument is on (the factory's, so a test with its own factory sees only its own measurements).</summary>
    public Meter Meter { get; }

    /// <summary>
    /// One answered recommend request. Also tags the current span: Application Insights keeps a histogram as
    /// sum, count, minimum and maximum per minute, so percentiles need each request's own figures.
    /// </summary>
    public void Recommended(string task, TimeSpan model, TimeSpan retrieval)
    {
        var tag = new KeyValuePair<string, object?>(TaskTag, task);
        _model.Record(model.TotalMilliseconds, tag);
        _retrieval.Record(retrieval.TotalMilliseconds, tag);
        Activity.Current?.SetTag("urm.task", task)
            .SetTag("urm.model_ms", model.TotalMilliseconds)
            .SetTag("urm.retrieval_ms", retrieval.TotalMilliseconds);
    }

    /// <summary>One ingested batch's events, by outcome.</summary>
    public void Ingested(EventBatchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Add(_events, result.Accepted, OutcomeTag, EventOutcome.Accepted);
        Add(_events, result.Duplicates, OutcomeTag, EventOutcome.Duplicate);
        Add(_events, result.Rejected, OutcomeTag, EventOutcome.Rejected);
    }

    /// <summary>A finished catalog run: its outcome and what became of its items.</summary>
    public void CatalogRunFinished(CatalogEncodingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        CatalogRunEnded(report.RetireWithheld > 0 ? RunRetireWithheld : RunCompleted);
        Add(_items, report.Fused, ResultTag, ItemsEncoded);
        Add(_items, report.SkippedUnchanged, ResultTag, ItemsSkipped);
        Add(_items, report.Rejected, ResultTag, ItemsFailed);
        Add(_items, report.Retired, ResultTag, ItemsRetired);
    }

    /// <summary>A catalog run that ended without a report of its items (<see cref="RunRejected"/>, <see cref="RunFailed"/>).</summary>
    public void CatalogRunEnded(string outcome) => _runs.Add(1, new KeyValuePair<string, object?>(OutcomeTag, outcome));

    /// <summary>Reports <paramref name="host"/>'s served cards in <see cref="CardsServed"/> from now on (once per host).</summary>
    public void ObserveCards(ModelHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        lock (_hostsLock)
            if (!_hosts.Contains(host)) _hosts.Add(host);
    }

    private IEnumerable<Measurement<long>> ObserveCards()
    {
        ModelHost[] hosts;
        lock (_hostsLock) hosts = [.. _hosts];
        foreach (var host in hosts)
            if (host.ServedCards is { } served)
                yield return new Measurement<long>(served.Cards, new KeyValuePair<string, object?>(ModelTag, served.ModelVersion));
    }

    // A zero is not recorded: a series of zeros costs rows in Application Insights and says nothing a missing one does not.
    private static void Add(Counter<long> counter, long count, string tag, string value)
    {
        if (count > 0) counter.Add(count, new KeyValuePair<string, object?>(tag, value));
    }
}
