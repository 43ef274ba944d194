using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Urm.Cli.Serve;
using Urm.Core.Experiments;
using Urm.Core.Kpi;

namespace Urm.Cli.Tests.Serve;

/// <summary>An A/B experiment through `urm serve`: each shopper's arm answers with its own model and cards, answers and records carry the arm, KPIs come per arm.</summary>
public sealed class ExperimentServeTests(ExperimentFixture serve) : IClassFixture<ExperimentFixture>
{
    private HttpClient Client => serve.Client;

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));

    private async Task<JsonElement> RecommendAsync(string body)
    {
        var answer = await Problem.PostAsync(Client, body);
        Assert.True(answer.Status == HttpStatusCode.OK, answer.Body);
        return JsonDocument.Parse(answer.Body).RootElement;
    }

    private Task<JsonElement> RecommendForAsync(string user) => RecommendAsync($$"""{"userId": "{{user}}", "history": ["sku-3", "sku-8"], "k": 4}""");

    private string VersionOf(string arm) => serve.Experiment.Arms.Single(a => a.Name == arm).ModelVersion;

    [Fact]
    public async Task Each_shopper_is_answered_by_the_model_of_their_arm_and_the_answer_and_its_record_carry_the_arm()
    {
        var from = DateTimeOffset.UtcNow;
        var users = Enumerable.Range(0, 40).Select(i => $"u-arm-{i}").ToList();
        var answers = new List<(string User, JsonElement Answer)>();
        foreach (var user in users) answers.Add((user, await RecommendForAsync(user)));
        var to = DateTimeOffset.UtcNow.AddTicks(1);

        foreach (var (user, answer) in answers)
        {
            var arm = serve.Experiment.Assign(user, null)!;
            Assert.Equal(arm.Name, answer.GetProperty("arm").GetString());
            Assert.Equal(arm.ModelVersion, answer.GetProperty("modelVersion").GetString());
        }
        // 40 shoppers split 50/50 all in one arm is a chance of 2^-39.
        Assert.Equal(["A", "B"], answers.Select(a => a.Answer.GetProperty("arm").GetString()).Distinct().Order());
        // Asked again, a shopper lands where they did.
        Assert.Equal(answers[0].Answer.GetProperty("arm").GetString(), (await RecommendForAsync(users[0])).GetProperty("arm").GetString());

        // The same history scores differently in the two arms: two models, each over its own cards.
        string Scores(JsonElement answer) => string.Join(",", answer.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("score").GetDouble().ToString("R", CultureInfo.InvariantCulture)));
        var byArm = answers.GroupBy(a => a.Answer.GetProperty("arm").GetString()).ToDictionary(g => g.Key!, g => g.First().Answer);
        Assert.NotEqual(Scores(byArm["A"]), Scores(byArm["B"]));

        var log = await SqliteRecommendationLog.OpenAsync(serve.StorePath, default);
        var records = new Dictionary<string, RecommendationRecord>();
        await foreach (var r in log.ReadAsync(from, to, default)) records[r.Id] = r;
        foreach (var (user, answer) in answers)
        {
            var record = records[answer.GetProperty("recommendationId").GetString()!];
            Assert.Equal((user, answer.GetProperty("arm").GetString(), answer.GetProperty("modelVersion").GetString()), (record.UserId!, record.Arm, record.ModelVersion));
        }
    }

    [Fact]
    public async Task An_anonymous_shopper_is_hashed_on_the_session_and_a_request_with_neither_id_is_the_primary_models_in_no_arm()
    {
        var session = await RecommendAsync("""{"sessionId": "s-arm-1", "history": ["sku-3"], "k": 3}""");
        var arm = serve.Experiment.Assign(null, "s-arm-1")!;
        Assert.Equal((arm.Name, arm.ModelVersion), (session.GetProperty("arm").GetString()!, session.GetProperty("modelVersion").GetString()!));

        var nobody = await RecommendAsync("""{"history": ["sku-3"], "k": 3}""");
        Assert.Equal(JsonValueKind.Null, nobody.GetProperty("arm").ValueKind);
        Assert.Equal(serve.Control.Version, nobody.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task Health_reports_each_arms_model_and_card_set_and_each_set_has_its_catalog_report()
    {
        using var response = await Client.GetAsync("/api/health");
        var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(serve.Control.Version, health.GetProperty("modelVersion").GetString());
        var arms = health.GetProperty("arms").EnumerateArray().ToList();
        Assert.Equal([("A", 0.5, serve.Control.Version), ("B", 0.5, serve.Treatment.Version)],
            arms.Select(a => (a.GetProperty("arm").GetString()!, a.GetProperty("share").GetDouble(), a.GetProperty("modelVersion").GetString()!)));
        Assert.All(arms, a => Assert.Equal(ServeModel.ItemCount, a.GetProperty("cardCount").GetInt32()));

        // Arm B's cards were fused by its model into a set of its own, reported beside the primary set's report.
        var report = Path.Combine(Path.GetDirectoryName(serve.CatalogFile)!, $"catalog.{serve.Treatment.Version}.report.json");
        var armReport = JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement;
        Assert.Equal(serve.Treatment.Version, armReport.GetProperty("modelVersion").GetString());
        Assert.True(File.Exists(CatalogFileEncoder.ReportPath(serve.CatalogFile)));
    }

    [Fact]
    public async Task Kpis_come_per_arm_with_the_click_through_difference_and_its_interval_from_the_api_and_urm_kpi()
    {
        var from = DateTimeOffset.UtcNow;
        var answers = new List<(string User, JsonElement Answer)>();
        foreach (var user in Enumerable.Range(0, 24).Select(i => $"u-kpi-{i}")) answers.Add((user, await RecommendForAsync(user)));
        var to = DateTimeOffset.UtcNow.AddTicks(1);
        // Every B answer is clicked, every other A answer.
        var clicked = answers.Where((a, i) => a.Answer.GetProperty("arm").GetString() == "B" || i % 2 == 0).ToList();
        foreach (var (user, answer) in clicked)
        {
            var item = answer.GetProperty("items")[0].GetProperty("itemId").GetString();
            var click = await EventsApiTests.PostEventsAsync(Client,
                $$"""{"events": [{"userId": "{{user}}", "itemId": "{{item}}", "event": "click", "recommendationId": "{{answer.GetProperty("recommendationId").GetString()}}"}]}""");
            Assert.True(click.Status == HttpStatusCode.OK, click.Body);
        }
        int Served(string arm) => answers.Count(a => a.Answer.GetProperty("arm").GetString() == arm);
        int Clicked(string arm) => clicked.Count(a => a.Answer.GetProperty("arm").GetString() == arm);

        using var response = await Client.GetAsync($"/api/kpi?from={Iso(from)}&to={Iso(to)}");
        var kpi = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, kpi.ToString());
        Assert.Equal([("A", VersionOf("A"), Served("A"), Clicked("A")), ("B", VersionOf("B"), Served("B"), Clicked("B"))],
            kpi.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("arm").GetString()!, r.GetProperty("modelVersion").GetString()!,
                r.GetProperty("served").GetInt32(), r.GetProperty("click").GetProperty("recommendations").GetInt32())));
        var all = kpi.GetProperty("comparisons")[0];
        Assert.Equal(JsonValueKind.Null, all.GetProperty("task").ValueKind);
        Assert.Equal(("A", "B", 0.95), (all.GetProperty("control").GetString()!, all.GetProperty("treatment").GetString()!, all.GetProperty("confidence").GetDouble()));
        var expected = RateDifference.Newcombe(Clicked("B"), Served("B"), Clicked("A"), Served("A"));
        Assert.Equal(expected, new RateDifference(all.GetProperty("difference").GetDouble(), all.GetProperty("low").GetDouble(), all.GetProperty("high").GetDouble()));

        var (exitCode, output, errors) = await CliRun.InvokeAsync("kpi", "--store", serve.StorePath, "--events-dir", serve.EventsDirectory,
            "--from", from.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), "--to", to.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        Assert.True(exitCode == 0, errors);
        var line = output.Split('\n').Single(l => l.StartsWith("B - A", StringComparison.Ordinal) && l.Contains("all tasks", StringComparison.Ordinal));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"[{expected.Low * 100:+0.0;-0.0;0.0} pp, {expected.High * 100:+0.0;-0.0;0.0} pp]"), line);
        Assert.Contains($"({Clicked("B")}/{Served("B")})", line);
    }

    [Theory]
    [InlineData("m-only=1", "Experiment__Arms")]
    [InlineData("{A}=0.5,m-elsewhere=0.5", "m-elsewhere")]
    [InlineData("{A}=0.7,{B}=0.2", "sum to 0.9")]
    public async Task A_split_that_is_wrong_or_names_models_not_given_stops_the_start(string arms, string named)
    {
        var settings = serve.Settings(arms.Replace("{A}", serve.Control.Version).Replace("{B}", serve.Treatment.Version));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ServeHost.CreateAsync(settings, default));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_model_without_an_experiment_stops_the_start()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ServeHost.CreateAsync(serve.Settings("m1=0.5,m2=0.5") with { Experiment = null }, default));
        Assert.Contains("--experiment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_experiment_on_the_command_line_the_split_binds_from_the_Experiment_settings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Experiment:Arms"] = $"{serve.Control.Version}=0.25,{serve.Treatment.Version}=0.75",
            ["Experiment:Salt"] = "winter",
        }).Build();

        var resolved = ServeExperiment.Resolve(serve.Settings("") with { Experiment = null }, configuration)!;

        Assert.Equal("winter", resolved.Experiment.Salt);
        Assert.Equal([0.25, 0.75], resolved.Experiment.Arms.Select(a => a.Share));
        var (arm, directory) = Assert.Single(resolved.Own);
        Assert.Equal(("B", serve.Treatment.Directory), (arm.Name, directory));
    }
}
