using Urm.Cli.Demo;

namespace Urm.Cli.Tests.Demo;

/// <summary>`urm demo` end to end on a smaller sample shop, with the demo model shipped in models/demo.</summary>
public sealed class DemoTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("urm-demo-test-").FullName;

    [Fact]
    public async Task The_demo_encodes_serves_every_task_and_re_encodes_only_the_change()
    {
        var settings = new DemoSettings(_work, DemoSettings.DefaultModelDirectory) { Items = 40, Shoppers = 30 };
        using var output = new StringWriter();

        var outcome = await new DemoRun(settings, output).RunAsync(CancellationToken.None);

        var text = output.ToString();
        Assert.Equal(40, (int)outcome.FirstEncoding["fused"]!);
        Assert.Equal(0, (long)outcome.FirstEncoding["rejected"]!);
        // One title edited, one item dropped: exactly that item fused, the dropped one retired.
        Assert.Equal((1, 38, 1), ((int)outcome.SecondEncoding["fused"]!, (int)outcome.SecondEncoding["skippedUnchanged"]!, (int)outcome.SecondEncoding["retired"]!));
        Assert.Equal(8, outcome.Answered);
        foreach (var task in new[] { "next-item", "next-purchase", "similar", "search", "category", "explore", "empty history" })
            Assert.Contains("> " + task, text.Replace("> a new visitor: empty history", "> empty history", StringComparison.Ordinal));
        // Every answer lists items with a reason: the interest slot, and for a history the item it came from.
        // k of them where k are eligible (the rules and the category leave fewer in a 40-item shop).
        var answers = Answers(text);
        Assert.Equal(8, answers.Count);
        Assert.Matches(@"= the history changed \d+ of the \d+ search answers", text);
        Assert.All(answers, a => Assert.InRange(a.Count(l => l.Contains(", interest ", StringComparison.Ordinal)), 1, settings.K));
        Assert.Equal(settings.K, answers[0].Count);
        Assert.Contains("because of sku-", text);
        Assert.Contains("-> 400 application/problem+json", text);
        Assert.Contains("(new waterproof edition)", text);
        Assert.Contains("GET /api/items/sku-40 -> 404", text);
    }

    private static List<List<string>> Answers(string text)
    {
        var answers = new List<List<string>>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("  > ", StringComparison.Ordinal)) answers.Add([]);
            else if (answers.Count > 0 && line.StartsWith("      ", StringComparison.Ordinal) && line.Contains(", interest ", StringComparison.Ordinal)) answers[^1].Add(line);
        }
        return answers.Where(a => a.Count > 0).ToList();
    }

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }
}
