namespace Urm.Cli.Bench;

/// <summary>One event as the load generator posts it (the names of POST /api/events); the server stamps the time.</summary>
public sealed record LoadEvent(string EventId, string UserId, string ItemId, string Event, string? RecommendationId);

/// <summary>What a recommend answered: its id and the items it showed, which the next batch may click.</summary>
public sealed record ShownItems(string RecommendationId, IReadOnlyList<string> Items);

/// <summary>
/// The events half of `urm bench load --events-per-recommend N`: shoppers drawn from a pool named afresh for
/// each run (so profiles from an earlier run against the same server never mix in), and after each
/// recommend a batch of N events by the same shopper. When the recommend answered, the batch's first event
/// is a click on one of the items it showed, naming its recommendationId (what attribution counts); the
/// rest are catalog items at a shop's rough mix of views, clicks, add-to-carts and purchases.
/// </summary>
public sealed class ShopperEventMix
{
    private readonly IReadOnlyList<string> _itemIds;

    public ShopperEventMix(IReadOnlyList<string> itemIds, int eventsPerRecommend, int users, string runTag)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        if (itemIds.Count == 0) throw new ArgumentException("The events mix needs item ids to post events about.", nameof(itemIds));
        ArgumentOutOfRangeException.ThrowIfLessThan(eventsPerRecommend, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(runTag);
        _itemIds = itemIds;
        EventsPerRecommend = eventsPerRecommend;
        RunTag = runTag;
        Users = Enumerable.Range(0, users).Select(u => $"{runTag}-u{u}").ToArray();
    }

    public int EventsPerRecommend { get; }

    /// <summary>What every user and event id of this run starts with.</summary>
    public string RunTag { get; }

    public IReadOnlyList<string> Users { get; }

    public string User(Random random) => Users[random.Next(Users.Count)];

    /// <summary>The batch after a recommend to <paramref name="user"/>; <paramref name="eventIdPrefix"/> and a number make each event id unique in the run.</summary>
    public IReadOnlyList<LoadEvent> Batch(Random random, string user, ShownItems? shown, string eventIdPrefix, int firstNumber)
    {
        var batch = new List<LoadEvent>(EventsPerRecommend);
        for (var i = 0; i < EventsPerRecommend; i++)
        {
            var eventId = $"{RunTag}-{eventIdPrefix}-{firstNumber + i}";
            if (i == 0 && shown is { Items.Count: > 0 })
                batch.Add(new LoadEvent(eventId, user, shown.Items[random.Next(shown.Items.Count)], "click", shown.RecommendationId));
            else
                batch.Add(new LoadEvent(eventId, user, _itemIds[random.Next(_itemIds.Count)], Kind(random), null));
        }
        return batch;
    }

    private static string Kind(Random random) => random.Next(20) switch
    {
        < 14 => "view",
        < 17 => "click",
        < 19 => "cart",
        _ => "purchase",
    };
}
