using System.Globalization;
using System.Text.Json.Nodes;

namespace Urm.Infra.Tests;

/// <summary>
/// host.json (the repository root's, which the app publishes) bounds every function execution on both
/// plans: Elastic Premium and Functions on Container Apps default to 30 minutes and allow no bound at all.
/// </summary>
public sealed class HostJsonTests
{
    private static JsonObject Host() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "host.json")))!.AsObject();

    [Fact]
    public void Function_timeout_is_an_explicit_bound_within_the_premium_scale_in_grace()
    {
        var text = (string?)Host()["functionTimeout"];
        Assert.NotNull(text);
        // "-1" (or null) would mean unbounded: a hung execution would hold its instance for ever.
        var timeout = TimeSpan.ParseExact(text, @"hh\:mm\:ss", CultureInfo.InvariantCulture);
        // Longer than the plans' 30-minute default: at the ~45 items/s measured per instance, one
        // execution encoding 100,000 items needs ~40 minutes (issue 11).
        Assert.True(timeout > TimeSpan.FromMinutes(30), $"functionTimeout {timeout} is not above the 30-minute default.");
        // No longer than the 60 minutes Elastic Premium guarantees a running execution when it scales in:
        // a longer bound would promise what the platform does not keep.
        Assert.True(timeout <= TimeSpan.FromMinutes(60), $"functionTimeout {timeout} is past the 60-minute scale-in grace.");
    }
}
