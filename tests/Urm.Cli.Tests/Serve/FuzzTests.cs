using System.Text.Json;

namespace Urm.Cli.Tests.Serve;

/// <summary>
/// Seeded mutations of valid bodies (fields dropped, duplicated, retyped; random unicode; huge numbers;
/// byte-level damage): whatever comes in, the answer is never a 5xx, and every 4xx is problem+json.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class FuzzTests(ServeFixture serve)
{
    private const int Bodies = 1_200;

    private static readonly string[] Valid =
    [
        """{"userId": "u-1", "history": [{"itemId": "sku-1", "event": "view", "timestamp": "2026-11-01T10:00:00Z"}, {"itemId": "sku-2", "event": "purchase"}], "task": "next-item", "k": 5, "rules": {"availableOnly": true, "excludeSeen": true, "excludeIds": ["sku-3"], "categories": [], "excludeCategories": [], "priceMin": 1, "priceMax": 500}}""",
        """{"history": ["sku-1", "sku-2", "sku-3"], "task": "similar", "anchorItemId": "sku-4", "k": 3}""",
        """{"history": ["sku-5"], "task": "search", "query": "socks", "prompt": null, "category": null}""",
        """{"task": "category", "category": "Home > Kitchen", "k": 7, "rules": {"excludeCategories": ["Garden"]}}""",
        """{"history": [], "task": "explore"}""",
    ];

    [Fact]
    public Task Mutated_bodies_never_get_a_server_error()
        => JsonMutations.AssertNoServerErrorAsync(serve.Client, "/api/recommend", Valid, seed: 20261128, Bodies, minOk: 50, minBadRequest: 200, (_, answer) =>
        {
            JsonDocument.Parse(answer).Dispose();
            return null;
        });
}
