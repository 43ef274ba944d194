using System.Text.Json.Nodes;
using Urm.Core.Events;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;

namespace Urm.Core.Tests.Models;

/// <summary>
/// The manifest's <c>repeat</c> section in a copy of the tiny package: read as written, absent in older
/// manifests, every broken form refused at load with the field named; and the term by its definition.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class RepeatTermTests(TinyModel model) : IDisposable
{
    private static readonly string[] ServedTasks = ["next-item", "next-purchase"];
    private readonly string _copy = CoOccurrenceFile.CopyPackage(model.Directory, "urm-repeat-model-");

    public void Dispose()
    {
        try { Directory.Delete(_copy, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void A_package_with_the_section_loads_it()
    {
        var byEvent = RepeatManifest.Random(seed: 1, RepeatManifest.Starts.Length, 0.5);
        RepeatManifest.AddTo(_copy, ServedTasks, RepeatManifest.Starts, byEvent);

        using var package = ModelPackage.Load(_copy, TinyModel.Session);

        var repeat = Assert.IsType<RepeatTerm>(package.Repeat);
        Assert.Equal(ServedTasks, repeat.Section.Tasks);
        Assert.Equal(RepeatManifest.Starts, repeat.Section.RecencyStarts);
        Assert.Equal(byEvent.Keys.Order(), repeat.Section.ByEvent.Keys.Order());
        foreach (var (name, values) in byEvent) Assert.Equal(values, repeat.Section.ByEvent[name]);
        Assert.True(repeat.AppliesTo("next-item"));
        Assert.True(repeat.AppliesTo("next-purchase"));
        Assert.False(repeat.AppliesTo("similar"));
        Assert.False(repeat.AppliesTo("category"));
        Assert.NotNull(ModelPackage.VerifyFiles(_copy).Repeat);
    }

    [Fact]
    public void A_manifest_without_the_section_has_no_term()
    {
        CoOccurrenceFile.EditManifest(_copy, m => m.Remove("repeat"));

        using var package = ModelPackage.Load(_copy, TinyModel.Session);

        Assert.Null(package.Repeat);
        Assert.Null(package.Manifest.Repeat);
    }

    [Fact]
    public void A_section_for_some_events_only_loads()
    {
        RepeatManifest.AddTo(_copy, ["next-item"], [0, 4], new Dictionary<string, float[]> { ["purchase"] = [-1f, 0.5f] });

        using var package = ModelPackage.Load(_copy, TinyModel.Session);

        Assert.Equal(["purchase"], package.Repeat!.Section.ByEvent.Keys);
    }

    [Theory]
    [InlineData("empty starts", "repeat.recencyStarts is empty")]
    [InlineData("starts at 1", "repeat.recencyStarts starts at 1")]
    [InlineData("starts repeat", "repeat.recencyStarts is not strictly ascending: [2] = 2 follows [1] = 2")]
    [InlineData("starts descend", "repeat.recencyStarts is not strictly ascending: [2] = 1 follows [1] = 3")]
    [InlineData("short array", "repeat.byEvent.view has 6 values; it must have one per recency bucket, 7")]
    [InlineData("long array", "repeat.byEvent.cart has 8 values; it must have one per recency bucket, 7")]
    [InlineData("infinite", "repeat.byEvent.click[2]")]
    [InlineData("null value", "repeat.byEvent.purchase[0]")]
    [InlineData("empty tasks", "repeat.tasks is empty")]
    [InlineData("unknown task", "repeat.tasks lists 'search', which tasks does not list")]
    [InlineData("no tasks", "tasks")]
    [InlineData("no starts", "recencyStarts")]
    [InlineData("no byEvent", "byEvent")]
    public void A_broken_section_is_refused_naming_the_field(string broken, string problem)
    {
        RepeatManifest.AddTo(_copy, ServedTasks, RepeatManifest.Starts, RepeatManifest.Random(seed: 2, RepeatManifest.Starts.Length, 0.5), section =>
        {
            var byEvent = section["byEvent"]!.AsObject();
            switch (broken)
            {
                case "empty starts": section["recencyStarts"] = new JsonArray(); break;
                case "starts at 1": section["recencyStarts"] = Ints(1, 2, 3, 5, 10, 20, 30); break;
                case "starts repeat": section["recencyStarts"] = Ints(0, 2, 2, 3, 5, 10, 20); break;
                case "starts descend": section["recencyStarts"] = Ints(0, 3, 1, 4, 5, 10, 20); break;
                case "short array": byEvent["view"]!.AsArray().RemoveAt(0); break;
                case "long array": byEvent["cart"]!.AsArray().Add(0.25); break;
                case "infinite": byEvent["click"]!.AsArray()[2] = JsonValue.Create(1e39); break;
                case "null value": byEvent["purchase"]!.AsArray()[0] = null; break;
                case "empty tasks": section["tasks"] = new JsonArray(); break;
                case "unknown task": section["tasks"] = new JsonArray(JsonValue.Create("next-item"), JsonValue.Create("search")); break;
                case "no tasks": section.Remove("tasks"); break;
                case "no starts": section.Remove("recencyStarts"); break;
                case "no byEvent": section.Remove("byEvent"); break;
                default: throw new ArgumentOutOfRangeException(nameof(broken));
            }
        });

        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(_copy, TinyModel.Session));
        Assert.EndsWith("manifest.json", e.File);
        Assert.Contains(problem, e.Message);
        Assert.Contains("repeat", e.Message);
        Assert.Throws<ModelPackageException>(() => ModelPackage.VerifyFiles(_copy));
    }

    [Fact]
    public void The_newest_occurrence_decides()
    {
        var term = Term(new() { ["view"] = [-1f, -2f, -3f], ["purchase"] = [10f, 20f, 30f] }, 0, 1, 2);

        // Row 5: purchased 3 items ago, viewed as the newest item; row 7: viewed once, 1 item ago.
        var terms = term.TermRows([(5, EventType.Purchase), (9, EventType.Purchase), (7, EventType.View), (5, EventType.View)]);

        Assert.Equal(-1f, terms[5]);
        Assert.Equal(-2f, terms[7]);
        Assert.Equal(30f, terms[9]);
        Assert.Equal(3, terms.Count);
    }

    [Fact]
    public void Recency_falls_into_the_bucket_that_starts_at_or_before_it()
    {
        var term = Term(new() { ["view"] = [1f, 2f, 3f, 4f, 5f, 6f, 7f] }, RepeatManifest.Starts);

        int[] expected = [0, 1, 2, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6];
        for (var r = 0; r < expected.Length; r++) Assert.Equal(expected[r], term.Bucket(r));
        Assert.Equal(6, term.Bucket(1000));

        // 25 distinct viewed items: the one with r items after it gets bucket(r) + 1.
        var history = Enumerable.Range(100, 25).Select(row => (row, EventType.View)).ToList();
        var terms = term.TermRows(history);
        for (var r = 0; r < 25; r++) Assert.Equal(expected[r] + 1f, terms[124 - r]);
        // Recency counts every model-history item after the occurrence, repeats of other items too.
        Assert.Equal(4f, term.TermRows([(1, EventType.View), (2, EventType.View), (2, EventType.View), (2, EventType.View)])[1]);
        Assert.Equal(1f, term.TermRows([(1, EventType.View), (2, EventType.View), (2, EventType.View), (2, EventType.View)])[2]);
    }

    [Fact]
    public void The_event_picks_the_array()
    {
        var term = Term(new() { ["view"] = [0.1f], ["click"] = [0.2f], ["cart"] = [0.3f], ["purchase"] = [-0.4f] }, 0);

        var terms = term.TermRows([(1, EventType.View), (2, EventType.Click), (3, EventType.Cart), (4, EventType.Purchase)]);

        Assert.Equal([(1, 0.1f), (2, 0.2f), (3, 0.3f), (4, -0.4f)], terms.OrderBy(t => t.Key).Select(t => (t.Key, t.Value)));
    }

    [Fact]
    public void An_event_byEvent_does_not_list_or_without_a_name_adds_nothing()
    {
        var term = Term(new() { ["view"] = [1f, 0f], ["purchase"] = [2f, 2f], ["return"] = [9f, 9f] }, 0, 1);

        // cart is not listed; (EventType)9 has no name; row 6's term is 0 (bucket 1 of view): all left out.
        var terms = term.TermRows([(6, EventType.View), (5, (EventType)9), (4, EventType.Cart), (3, EventType.Purchase), (2, EventType.View)]);

        Assert.Equal([(2, 1f), (3, 2f)], terms.OrderBy(t => t.Key).Select(t => (t.Key, t.Value)));
        Assert.Empty(term.TermRows([]));
    }

    [Fact]
    public void The_term_follows_the_definition_on_random_histories()
    {
        var random = new Random(5);
        var byEvent = RepeatManifest.Random(seed: 6, RepeatManifest.Starts.Length, 1.0);
        var term = Term(byEvent, RepeatManifest.Starts);
        for (var trial = 0; trial < 200; trial++)
        {
            var history = Enumerable.Range(0, random.Next(0, 40)).Select(_ => (Row: random.Next(0, 15), Event: (EventType)random.Next(0, 4))).ToList();
            var expected = RepeatManifest.Of(RepeatManifest.Starts, byEvent, history.Select(h => ($"{h.Row}", RepeatManifest.EventNames[(int)h.Event])).ToList());
            var actual = term.TermRows(history);
            Assert.Equal(expected.OrderBy(t => t.Key), actual.Select(t => KeyValuePair.Create($"{t.Key}", t.Value)).OrderBy(t => t.Key));
        }
    }

    private static RepeatTerm Term(Dictionary<string, float[]> byEvent, params int[] starts)
        => new(new RepeatSection(["next-item"], starts, byEvent.ToDictionary(e => e.Key, e => (IReadOnlyList<float>)e.Value)));

    private static JsonArray Ints(params int[] values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
