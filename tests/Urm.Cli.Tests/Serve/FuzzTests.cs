using System.Net;
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
    public async Task Mutated_bodies_never_get_a_server_error()
    {
        var random = new Random(20261128);
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < Bodies; i++)
        {
            var body = JsonMutations.Mutate(random, Valid[random.Next(Valid.Length)]);
            var (status, mediaType, answer) = await Problem.PostAsync(serve.Client, body);
            statuses[(int)status] = statuses.GetValueOrDefault((int)status) + 1;
            if ((int)status >= 500) failures.Add($"{(int)status} for {Shorten(body)}: {Shorten(answer)}");
            else if ((int)status >= 400 && mediaType != "application/problem+json") failures.Add($"{(int)status} as {mediaType} for {Shorten(body)}");
            else if (status == HttpStatusCode.OK) JsonDocument.Parse(answer).Dispose();
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
        // Both kinds must have been exercised, or the mutations are too tame or too wild.
        Assert.True(statuses.GetValueOrDefault(200) > 50, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(400) > 200, string.Join(", ", statuses));
    }

    private static string Shorten(string value) => value.Length <= 300 ? value : value[..300] + "…";
}
