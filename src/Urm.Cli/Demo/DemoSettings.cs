using Urm.Offline.Samples;

namespace Urm.Cli.Demo;

/// <summary>What `urm demo` runs on.</summary>
/// <param name="WorkDirectory">Where the sample shop, the card store and its feature cache go.</param>
/// <param name="ModelDirectory">The model package: by default the demo model shipped with the command (models/demo).</param>
public sealed record DemoSettings(string WorkDirectory, string ModelDirectory)
{
    public static string DefaultWorkDirectory => Path.Combine(Path.GetTempPath(), "urm-demo");

    public static string DefaultModelDirectory => Path.Combine(AppContext.BaseDirectory, "models", "demo");

    public int Items { get; init; } = SampleShop.DefaultItems;

    public int Shoppers { get; init; } = SampleShop.DefaultShoppers;

    public string Shopper { get; init; } = "user-7";

    public string EditedItem { get; init; } = "sku-1";

    public int K { get; init; } = 5;

    public TimeSpan EncodeTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>What a demo run did: the two encoding reports (as JSON), the answered requests, the time taken, and the KPI report its loop ended with.</summary>
public sealed record DemoOutcome(System.Text.Json.Nodes.JsonNode FirstEncoding, System.Text.Json.Nodes.JsonNode SecondEncoding, int Answered, TimeSpan Elapsed, Urm.Core.Kpi.KpiReport Kpi);
