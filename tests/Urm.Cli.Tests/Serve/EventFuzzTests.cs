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
    public Task Mutated_batches_never_get_a_server_error()
        => JsonMutations.AssertNoServerErrorAsync(serve.Client, "/api/events", Valid, seed: 20261203, Bodies, minOk: 100, minBadRequest: 200, (body, answer) =>
        {
            using var sent = JsonDocument.Parse(body);
            using var outcome = JsonDocument.Parse(answer);
            return outcome.RootElement.GetProperty("results").GetArrayLength() == sent.RootElement.GetProperty("events").GetArrayLength()
                ? null : "outcomes do not match events";
        });
}
