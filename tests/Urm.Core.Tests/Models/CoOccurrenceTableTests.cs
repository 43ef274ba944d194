using System.Text.Json.Nodes;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;

namespace Urm.Core.Tests.Models;

/// <summary>
/// cooccurrence.bin in a copy of the tiny package: read as written, boosts by their definition, and every
/// way the file or its manifest section can break refused at load with the file and the problem named.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class CoOccurrenceTableTests(TinyModel model) : IDisposable
{
    private static readonly string[] ServedTasks = ["next-item", "next-purchase"];
    private readonly string _copy = CoOccurrenceFile.CopyPackage(model.Directory);

    private int IdCount => model.Package.Sizes.IdCount;
    private IReadOnlyDictionary<string, int> IdTable => model.Package.Manifest.IdTable;

    public void Dispose()
    {
        try { Directory.Delete(_copy, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void A_package_with_a_table_loads_it_with_its_section()
    {
        var table = CoOccurrenceFile.Random(IdCount, seed: 11);
        CoOccurrenceFile.AddTo(_copy, table.Bytes(), table.Pairs, 0.25, 3, ServedTasks);

        using var package = ModelPackage.Load(_copy, TinyModel.Session);

        var co = Assert.IsType<CoOccurrenceTable>(package.CoOccurrence);
        Assert.InRange(table.Pairs, 1, int.MaxValue);
        Assert.Equal(table.Pairs, co.Pairs);
        Assert.Equal((0.25, 3, 3, 100, table.Pairs), (co.Section.Weight, co.Section.Recent, co.Section.Window, co.Section.PerItem, co.Section.Pairs));
        Assert.Equal(CoOccurrenceFile.Name, co.Section.File);
        Assert.Matches("^[0-9a-f]{64}$", co.Section.Sha256);
        Assert.Equal(ServedTasks, co.Section.Tasks);
        Assert.True(co.AppliesTo("next-item"));
        Assert.False(co.AppliesTo("similar"));
        Assert.NotNull(ModelPackage.VerifyFiles(_copy).CoOccurrence);
    }

    [Fact]
    public void Boosts_follow_the_definition()
    {
        var table = CoOccurrenceFile.Random(IdCount, seed: 12);
        const double weight = 0.7;
        const int recent = 4;
        CoOccurrenceFile.AddTo(_copy, table.Bytes(), table.Pairs, weight, recent, ServedTasks);
        using var package = ModelPackage.Load(_copy, TinyModel.Session);
        var co = package.CoOccurrence!;
        string[][] histories =
        [
            ["sku-1"],
            ["sku-3", "sku-9", "sku-4"],
            ["sku-0", "sku-1", "sku-2", "sku-5", "sku-8", "sku-13", "sku-21"], // longer than recent
            ["sku-4", "not-in-the-table", "sku-4", "sku-11"], // an id without a row still takes its place; a repeat counts twice
            [],
        ];

        foreach (var history in histories)
        {
            var expected = CoOccurrenceBoosts.Of(table, IdTable, weight, recent, history);
            Assert.Equal(expected.OrderBy(b => b.Key), co.Boosts(history).OrderBy(b => b.Key));
        }
        Assert.NotEmpty(co.Boosts(histories[1]));
        // Position matters: the newest item counts in full, the one before it half.
        Assert.NotEqual(co.Boosts(["sku-9", "none"]).OrderBy(b => b.Key), co.Boosts(["none", "sku-9"]).OrderBy(b => b.Key));
        Assert.Equal(co.Boosts(["sku-9", "none"]).Keys.Order(), co.Boosts(["none", "sku-9"]).Keys.Order());
        // Only the newest `recent` are read.
        Assert.Equal(co.Boosts(["sku-0", "sku-1", "sku-2", "sku-5", "sku-8"]).OrderBy(b => b.Key), co.Boosts(["sku-7", "sku-1", "sku-2", "sku-5", "sku-8"]).OrderBy(b => b.Key));
    }

    [Fact]
    public void A_new_item_is_its_lender_in_the_history_and_among_the_candidates()
    {
        var table = CoOccurrenceFile.Random(IdCount, seed: 14);
        CoOccurrenceFile.AddTo(_copy, table.Bytes(), table.Pairs, 0.5, 3, ServedTasks);
        using var package = ModelPackage.Load(_copy, TinyModel.Session);
        var co = package.CoOccurrence!;
        // "new-a" and "new-b" are items the model never saw; their lenders are sku-3 and sku-4.
        string[] ids = ["sku-1", "sku-3", "sku-4", "sku-9", "new-a", "new-b"];
        var cards = new Urm.Core.Retrieval.CardMatrix(ids, new float[ids.Length * 2], 2, [null, null, null, null, "sku-3", "sku-4"]);
        int Row(string id) => Array.IndexOf(ids, id);

        var viaLender = co.Boosts(["sku-9", "sku-4"]);   // what a history ending in sku-4 lifts
        Assert.NotEmpty(viaLender);
        var got = co.BoostRows(cards, [Row("sku-9"), Row("new-b")]);   // the history ends in new-b instead
        var expected = new Dictionary<int, float>();
        foreach (var (id, boost) in viaLender)
        {
            if (Array.IndexOf(ids, id) is var row and >= 0) expected[row] = boost;
            if (id == "sku-3") expected[Row("new-a")] = boost;   // new-a takes sku-3's boost
            if (id == "sku-4") expected[Row("new-b")] = boost;
        }
        Assert.Equal(expected.OrderBy(b => b.Key), got.OrderBy(b => b.Key));

        // Without lenders a new item is lifted by nothing and lifts nothing.
        var plain = new Urm.Core.Retrieval.CardMatrix(ids, new float[ids.Length * 2], 2);
        var none = co.BoostRows(plain, [Row("new-b")]);
        Assert.Empty(none);
        Assert.DoesNotContain(Row("new-a"), co.BoostRows(plain, [Row("sku-9"), Row("sku-4")]).Keys);
    }

    [Fact]
    public void Weight_zero_boosts_nothing()
    {
        var table = CoOccurrenceFile.Random(IdCount, seed: 13);
        CoOccurrenceFile.AddTo(_copy, table.Bytes(), table.Pairs, 0, 3, ServedTasks);
        using var package = ModelPackage.Load(_copy, TinyModel.Session);
        Assert.Empty(package.CoOccurrence!.Boosts(["sku-1", "sku-2", "sku-3"]));
    }

    [Fact]
    public void A_manifest_without_the_section_loads_without_a_table()
    {
        CoOccurrenceFile.EditManifest(_copy, m => m.Remove("cooccurrence"));
        File.Delete(Path.Combine(_copy, CoOccurrenceFile.Name));

        using var package = ModelPackage.Load(_copy, TinyModel.Session);

        Assert.Null(package.CoOccurrence);
        Assert.Null(package.Manifest.CoOccurrence);
    }

    [Theory]
    [InlineData("magic", "starts with 'URMX', not 'URMC'")]
    [InlineData("version", "format version is 2")]
    [InlineData("rows", "rows, but manifest.json has sizes.idCount")]
    [InlineData("truncated", "bytes long, but")]
    [InlineData("longer", "bytes long, but")]
    [InlineData("short header", "shorter than its 16-byte header")]
    [InlineData("pairs in the manifest", "cooccurrence.pairs")]
    [InlineData("offsets out of order", "offsets are out of order")]
    [InlineData("offsets end", "not the")]
    [InlineData("row 0", "row 0 (padding, no item)")]
    [InlineData("neighbour 0", "outside 1..sizes.idCount")]
    [InlineData("neighbour above", "outside 1..sizes.idCount")]
    [InlineData("neighbour itself", "lists itself")]
    [InlineData("count 0", "counts must be finite and above 0")]
    [InlineData("count negative", "counts must be finite and above 0")]
    [InlineData("count NaN", "counts must be finite and above 0")]
    [InlineData("count infinite", "counts must be finite and above 0")]
    public void A_broken_file_is_refused(string broken, string problem)
    {
        var table = CoOccurrenceFile.Random(IdCount, seed: 14);
        var (offsets, neighbours, counts) = table.Parts();
        var rows = IdCount + 1;
        var row = Enumerable.Range(2, IdCount - 1).First(r => offsets[r + 1] - offsets[r] >= 2);
        var entry = offsets[row];
        var pairs = table.Pairs;
        byte[] Bytes() => CoOccurrenceFile.Bytes(offsets, neighbours, counts);
        var bytes = broken switch
        {
            "magic" => CoOccurrenceFile.Bytes(offsets, neighbours, counts, magic: "URMX"),
            "version" => CoOccurrenceFile.Bytes(offsets, neighbours, counts, version: 2),
            "rows" => CoOccurrenceFile.Bytes(offsets, neighbours, counts, rows: IdCount),
            "truncated" => Bytes()[..^4],
            "longer" => [.. Bytes(), 0, 0, 0, 0],
            "short header" => Bytes()[..12],
            "pairs in the manifest" => Bytes(),
            "offsets out of order" => Edit(() => (offsets[row], offsets[row + 1]) = (offsets[row + 1], offsets[row])),
            "offsets end" => Edit(() => offsets[rows] = pairs - 1),
            "row 0" => Edit(() => offsets[1] = 1),
            "neighbour 0" => Edit(() => neighbours[entry] = 0),
            "neighbour above" => Edit(() => neighbours[entry] = IdCount + 1),
            "neighbour itself" => Edit(() => neighbours[entry] = row),
            "count 0" => Edit(() => counts[entry] = 0),
            "count negative" => Edit(() => counts[entry] = -1),
            "count NaN" => Edit(() => counts[entry] = float.NaN),
            "count infinite" => Edit(() => counts[entry] = float.PositiveInfinity),
            _ => throw new ArgumentOutOfRangeException(nameof(broken)),
        };
        // The manifest's checksum is of the broken bytes, so the format check is what refuses them.
        CoOccurrenceFile.AddTo(_copy, bytes, broken == "pairs in the manifest" ? pairs + 1 : pairs, 0.25, 3, ServedTasks);

        Refused(CoOccurrenceFile.Name, problem);

        byte[] Edit(Action edit)
        {
            edit();
            return Bytes();
        }
    }

    [Fact]
    public void A_file_whose_bytes_differ_from_the_manifest_checksum_is_refused()
    {
        var table = CoOccurrenceFile.Random(IdCount, seed: 15);
        var bytes = table.Bytes();
        CoOccurrenceFile.AddTo(_copy, bytes, table.Pairs, 0.25, 3, ServedTasks);
        bytes[^1] ^= 1; // a count's last bit: still a valid table, but not the exported one
        File.WriteAllBytes(Path.Combine(_copy, CoOccurrenceFile.Name), bytes);

        Refused(CoOccurrenceFile.Name, "cooccurrence.sha256");
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.VerifyFiles(_copy));
        Assert.Contains("SHA-256", e.Message);
        Assert.EndsWith(CoOccurrenceFile.Name, e.File);
    }

    [Fact]
    public void A_missing_file_is_refused_by_the_download_check_and_the_load()
    {
        var table = CoOccurrenceFile.Random(IdCount, seed: 16);
        CoOccurrenceFile.AddTo(_copy, table.Bytes(), table.Pairs, 0.25, 3, ServedTasks);
        File.Delete(Path.Combine(_copy, CoOccurrenceFile.Name));

        Refused(CoOccurrenceFile.Name, "the file is missing");
        Assert.EndsWith(CoOccurrenceFile.Name, Assert.Throws<ModelPackageException>(() => ModelPackage.VerifyFiles(_copy)).File);
    }

    [Fact]
    public void A_table_without_a_checksum_still_loads()
    {
        var table = CoOccurrenceFile.Random(IdCount, seed: 17);
        CoOccurrenceFile.AddTo(_copy, table.Bytes(), table.Pairs, 0.25, 3, ServedTasks, s => s.Remove("sha256"));

        using var package = ModelPackage.Load(_copy, TinyModel.Session);

        Assert.Null(package.CoOccurrence!.Section.Sha256);
    }

    [Theory]
    [InlineData("file", "../cooccurrence.bin", "cooccurrence.file '../cooccurrence.bin' is not a plain file name")]
    [InlineData("sha256", "abc", "cooccurrence.sha256 is 'abc', not 64 hexadecimal digits")]
    [InlineData("weight", -0.5, "cooccurrence.weight is -0.5")]
    [InlineData("recent", 0, "cooccurrence.recent is 0; it must be within 1..50")]
    [InlineData("recent", 51, "cooccurrence.recent is 51; it must be within 1..50")]
    [InlineData("window", 0, "cooccurrence.window is 0; it must be at least 1")]
    [InlineData("perItem", 0, "cooccurrence.perItem is 0; it must be at least 1")]
    [InlineData("pairs", -1, "cooccurrence.pairs is -1; it must be at least 0")]
    [InlineData("tasks", "search", "cooccurrence.tasks lists 'search', which tasks does not list")]
    [InlineData("weight", null, "not a valid model manifest")]
    public void A_broken_section_is_refused(string field, object? value, string problem)
    {
        var table = CoOccurrenceFile.Random(IdCount, seed: 18);
        CoOccurrenceFile.AddTo(_copy, table.Bytes(), table.Pairs, 0.25, 3, ServedTasks, section =>
        {
            if (value is null) section.Remove(field);
            else section[field] = value switch
            {
                string s when field == "tasks" => new JsonArray(JsonValue.Create("next-item"), JsonValue.Create(s)),
                string s => JsonValue.Create(s),
                int i => JsonValue.Create(i),
                double d => JsonValue.Create(d),
                _ => throw new ArgumentOutOfRangeException(nameof(value)),
            };
        });

        Refused("manifest.json", problem);
    }

    private void Refused(string file, string problem)
    {
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(_copy, TinyModel.Session));
        Assert.EndsWith(file, e.File);
        Assert.Contains(file, e.Message);
        Assert.Contains(problem, e.Message);
    }
}
