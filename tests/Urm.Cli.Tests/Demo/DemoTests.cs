using Urm.Cli.Demo;

namespace Urm.Cli.Tests.Demo;

/// <summary>One `urm demo` run on a smaller sample shop, with the demo model shipped in models/demo, for the tests to read.</summary>
public sealed class DemoFixture : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("urm-demo-test-").FullName;

    public DemoSettings Settings => new(_work, DemoSettings.DefaultModelDirectory) { Items = 40, Shoppers = 30 };

    public DemoOutcome Outcome { get; private set; } = null!;

    public string Text { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var output = new StringWriter();
        Outcome = await new DemoRun(Settings, output).RunAsync(CancellationToken.None);
        Text = output.ToString();
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

/// <summary>`urm demo` end to end: what it printed and what it reports.</summary>
public sealed class DemoTests(DemoFixture demo) : IClassFixture<DemoFixture>
{
    [Fact]
    public void The_demo_encodes_serves_every_task_and_re_encodes_only_the_change()
    {
        var (settings, outcome, text) = (demo.Settings, demo.Outcome, demo.Text);
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
        Assert.Equal(9, answers.Count);   // step 3's eight, and the loop's recommendation by user id
        Assert.Matches(@"= the history changed \d+ of the \d+ search answers", text);
        Assert.All(answers, a => Assert.InRange(a.Count(l => l.Contains(", interest ", StringComparison.Ordinal)), 1, settings.K));
        Assert.Equal(settings.K, answers[0].Count);
        Assert.Contains("because of sku-", text);
        Assert.Contains("-> 400 application/problem+json", text);
        Assert.Contains("(new waterproof edition)", text);
        Assert.Contains("GET /api/items/sku-40 -> 404", text);
    }

    [Fact]
    public void The_demo_closes_the_loop_events_in_a_recommendation_by_user_id_and_its_click_in_the_kpi_table()
    {
        var (outcome, text) = (demo.Outcome, demo.Text);
        var posted = Found(@"POST /api/events: user-7's (\d+) events above -> (\d+) accepted, 0 rejected", text);
        var events = int.Parse(posted.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(events > 0);
        Assert.Equal(posted.Groups[1].Value, posted.Groups[2].Value);
        // The request sent no history: what the model read is the stored profile, as the answer says.
        Assert.Contains($"> next-item for userId user-7, no history sent: {events} stored events used, 0 sent", text);
        var click = Found(@"POST /api/events: user-7 clicks (sku-\d+) .*, recommendationId (r-[0-9a-f]{16}) -> accepted", text);
        var shown = Answers(text)[^1];
        Assert.StartsWith($"      1. {click.Groups[1].Value} ", shown[0]);

        // The report counts it: one next-item answer of this run clicked, nothing else.
        var rows = outcome.Kpi.Rows;
        var nextItem = Assert.Single(rows, r => r.Task == "next-item");
        Assert.Equal(3, nextItem.Served);   // step 3's history and empty-history requests, and the loop's
        Assert.Equal(1, nextItem.Click.Recommendations);
        Assert.Equal(1, rows.Sum(r => r.Click.Recommendations + r.Cart.Recommendations + r.Purchase.Recommendations));
        // The same in the printed table: the next-item row's click-through column is 1 of 3.
        var table = text[text.IndexOf("KPIs of this run", StringComparison.Ordinal)..].Split('\n').Skip(1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("    Recommendations served ", table[0]);
        Assert.Equal(["arm", "model", "task", "served", "items shown", "click-through", "add-to-cart", "purchase"], Columns(table[1]));
        var printed = Columns(Assert.Single(table, l => Columns(l) is ["-", _, "next-item", ..]));
        Assert.Equal(("3", "33.3 % (1)", "0.0 % (0)"), (printed[3], printed[5], printed[6]));
        Assert.Equal(rows.Count + 2, table.Count);
    }

    private static System.Text.RegularExpressions.Match Found(string pattern, string text)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, pattern);
        Assert.True(match.Success, $"no line matches {pattern}");
        return match;
    }

    private static string[] Columns(string line) => System.Text.RegularExpressions.Regex.Split(line.Trim(), " {2,}");

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
}
