using System.Net;
using System.Text.Json;

namespace Urm.Cli.Tests.Serve;

/// <summary>
/// Seeded mutations of valid event batches (<see cref="JsonMutations"/>): whatever comes in, POST
/// /api/events never answers 5xx, every 4xx is problem+json, and every 200 lists one outcome per event.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class EventFuzzTests(ServeFixture serve)
{
    private const int Bodies = 1_200;

    private static readonly string[] Valid =
    [
        """{"events": [{"eventId": "f-1", "userId": "fuzz-1", "itemId": "sku-1", "event": "view", "timestamp": "2026-11-01T10:00:00Z"}, {"userId": "fuzz-1", "itemId": "sku-2", "event": "purchase", "recommendationId": "rec-1"}]}""",
        """{"events": [{"sessionId": "fuzz-s", "itemId": "sku-3", "event": "click", "timestamp": 1764583380}]}""",
        """{"events": [{"userId": "fuzz-2", "sessionId": "fuzz-s", "itemId": "sku-4", "event": "cart"}, {"eventId": "f-2", "userId": "fuzz-2", "itemId": "sku-5", "event": "view", "timestamp": null}]}""",
    ];

    [Fact]
    public async Task Mutated_batches_never_get_a_server_error()
    {
        var random = new Random(20261203);
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < Bodies; i++)
        {
            var body = JsonMutations.Mutate(random, Valid[random.Next(Valid.Length)]);
            var (status, mediaType, answer) = await EventsApiTests.PostEventsAsync(serve.Client, body);
            statuses[(int)status] = statuses.GetValueOrDefault((int)status) + 1;
            if ((int)status >= 500) failures.Add($"{(int)status} for {Shorten(body)}: {Shorten(answer)}");
            else if ((int)status >= 400 && mediaType != "application/problem+json") failures.Add($"{(int)status} as {mediaType} for {Shorten(body)}");
            else if (status == HttpStatusCode.OK)
            {
                using var sent = JsonDocument.Parse(body);
                using var outcome = JsonDocument.Parse(answer);
                if (outcome.RootElement.GetProperty("results").GetArrayLength() != sent.RootElement.GetProperty("events").GetArrayLength())
                    failures.Add($"outcomes do not match events for {Shorten(body)}: {Shorten(answer)}");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
        // Both kinds must have been exercised, or the mutations are too tame or too wild.
        Assert.True(statuses.GetValueOrDefault(200) > 100, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(400) > 200, string.Join(", ", statuses));
    }

    private static string Shorten(string value) => value.Length <= 300 ? value : value[..300] + "…";
}
