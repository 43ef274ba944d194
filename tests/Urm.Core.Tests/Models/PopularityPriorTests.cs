using System.Text.Json.Nodes;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;
using Urm.Core.Retrieval;

namespace Urm.Core.Tests.Models;

/// <summary>
/// popularity.bin and the manifest's search.popularity in a copy of the tiny package: read as written, an
/// item's count by its own idTable row only, and every way the file or its section can break refused at
/// load with the file and the problem named.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class PopularityPriorTests(TinyModel model) : IDisposable
{
    private readonly string _copy = CoOccurrenceFile.CopyPackage(model.Directory, "urm-popularity-model-");

    private int IdCount => model.Package.Sizes.IdCount;
    private IReadOnlyDictionary<string, int> IdTable => model.Package.Manifest.IdTable;

    public void Dispose()
    {
        try { Directory.Delete(_copy, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void A_package_with_the_prior_and_no_text_weight_loads_it_with_its_section()
    {
        var counts = PopularityFile.Random(IdCount, seed: 21);
        PopularityFile.AddTo(_copy, PopularityFile.Bytes(counts), weight: 0.04, weightWithoutHistory: 0.32);

        using var package = ModelPackage.Load(_copy, TinyModel.Session);

        var prior = Assert.IsType<PopularityPrior>(package.Popularity);
        Assert.Equal((PopularityFile.Name, 0.04, 0.32), (prior.Section.File, prior.Section.Weight, prior.Section.WeightWithoutHistory));
        Assert.Matches("^[0-9a-f]{64}$", prior.Section.Sha256);
        var search = package.Manifest.Search!;
        Assert.Equal((0.0, 0.0), (search.WeightFor(true), search.WeightFor(false)));
        Assert.Equal((0.04, 0.32), (search.PopularityWeightFor(true), search.PopularityWeightFor(false)));
        Assert.NotEmpty(IdTable);
        foreach (var (id, row) in IdTable) Assert.Equal(counts[row], prior.CountOf(id));
        Assert.Equal(0f, prior.CountOf("not-in-the-id-table"));
        Assert.NotNull(ModelPackage.VerifyFiles(_copy).Search!.Popularity);
    }

    [Fact]
    public void The_column_is_ln_1_plus_the_items_own_count_and_0_for_an_item_without_an_id_row_even_with_a_lender()
    {
        var counts = PopularityFile.Random(IdCount, seed: 22);
        PopularityFile.AddTo(_copy, PopularityFile.Bytes(counts), 0.1, 0.5);
        using var package = ModelPackage.Load(_copy, TinyModel.Session);
        var lender = IdTable.MaxBy(e => counts[e.Value]).Key;
        Assert.True(counts[IdTable[lender]] > 0);
        string[] ids = [.. IdTable.Keys, "new-a", "new-b"];
        var cards = new CardMatrix(ids, new float[ids.Length * 2], 2, [.. IdTable.Keys.Select(_ => (string?)null), lender, null]);

        var column = package.Popularity!.Column(cards);

        var prior = package.Popularity!;
        for (var row = 0; row < IdTable.Count; row++)
            Assert.Equal((float)(Math.Log(1 + (double)counts[IdTable[ids[row]]]) / prior.ColumnScale), column[row]);
        // The column is scaled into [0, ColumnMax] and the user's weight scaled back: β times ln(1 + n) all the same.
        Assert.Equal(PopularityPrior.ColumnMax, column.Max(), 6);
        var top = Array.IndexOf(column, column.Max());
        Assert.Equal(0.5 * Math.Log(1 + (double)counts[IdTable[ids[top]]]), prior.UserWeight(0.5) * column[top], 4);
        // A new item has no sales of its own: it does not borrow its lender's count as its card borrows its ID.
        Assert.Equal([0f, 0f], column[^2..]);
    }

    [Fact]
    public void A_search_section_without_popularity_reads_as_before()
    {
        PopularityFile.AddSearch(_copy, textWeight: 4, textWeightWithoutHistory: 16);

        using var package = ModelPackage.Load(_copy, TinyModel.Session);

        Assert.Null(package.Popularity);
        Assert.Null(package.Manifest.Search!.Popularity);
        Assert.Equal((0.0, 0.0), (package.Manifest.Search.PopularityWeightFor(true), package.Manifest.Search.PopularityWeightFor(false)));
        Assert.Equal((4.0, 16.0), (package.Manifest.Search.WeightFor(true), package.Manifest.Search.WeightFor(false)));
    }

    [Theory]
    [InlineData("magic", "starts with 'URMX', not 'URMP'")]
    [InlineData("version", "format version is 2")]
    [InlineData("rows", "rows, but manifest.json has sizes.idCount")]
    [InlineData("rows and length", "rows, but manifest.json has sizes.idCount")]
    [InlineData("truncated", "bytes long, but")]
    [InlineData("longer", "bytes long, but")]
    [InlineData("short header", "shorter than its 12-byte header")]
    [InlineData("count negative", "counts must be finite and 0 or above")]
    [InlineData("count NaN", "counts must be finite and 0 or above")]
    [InlineData("count infinite", "counts must be finite and 0 or above")]
    [InlineData("row 0", "row 0 (no ID, no item) has the count 3; it must be 0")]
    public void A_broken_file_is_refused(string broken, string problem)
    {
        var counts = PopularityFile.Random(IdCount, seed: 23);
        byte[] With(Action<float[]> edit)
        {
            edit(counts);
            return PopularityFile.Bytes(counts);
        }
        var bytes = broken switch
        {
            "magic" => PopularityFile.Bytes(counts, magic: "URMX"),
            "version" => PopularityFile.Bytes(counts, version: 2),
            "rows" => PopularityFile.Bytes(counts, rows: IdCount),
            "rows and length" => PopularityFile.Bytes(counts[..^1]),
            "truncated" => PopularityFile.Bytes(counts)[..^4],
            "longer" => [.. PopularityFile.Bytes(counts), 0, 0, 0, 0],
            "short header" => PopularityFile.Bytes(counts)[..8],
            "count negative" => With(c => c[1] = -1),
            "count NaN" => With(c => c[IdCount / 2] = float.NaN),
            "count infinite" => With(c => c[IdCount] = float.PositiveInfinity),
            "row 0" => With(c => c[0] = 3),
            _ => throw new ArgumentOutOfRangeException(nameof(broken)),
        };
        // The manifest's checksum is of the broken bytes, so the format check is what refuses them.
        PopularityFile.AddTo(_copy, bytes, 0.04, 0.32);

        Refused(PopularityFile.Name, problem);
    }

    [Fact]
    public void A_file_whose_bytes_differ_from_the_manifest_checksum_is_refused()
    {
        var bytes = PopularityFile.Bytes(PopularityFile.Random(IdCount, seed: 24));
        PopularityFile.AddTo(_copy, bytes, 0.04, 0.32);
        bytes[^1] ^= 1; // the last count's last bit: still a valid file, but not the exported one
        File.WriteAllBytes(Path.Combine(_copy, PopularityFile.Name), bytes);

        Refused(PopularityFile.Name, "search.popularity.sha256");
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.VerifyFiles(_copy));
        Assert.Contains("SHA-256", e.Message);
        Assert.EndsWith(PopularityFile.Name, e.File);
    }

    [Fact]
    public void A_missing_file_is_refused_by_the_download_check_and_the_load()
    {
        PopularityFile.AddTo(_copy, PopularityFile.Bytes(PopularityFile.Random(IdCount, seed: 25)), 0.04, 0.32);
        File.Delete(Path.Combine(_copy, PopularityFile.Name));

        Refused(PopularityFile.Name, "the file is missing");
        Assert.EndsWith(PopularityFile.Name, Assert.Throws<ModelPackageException>(() => ModelPackage.VerifyFiles(_copy)).File);
    }

    [Fact]
    public void A_file_without_a_checksum_still_loads()
    {
        PopularityFile.AddTo(_copy, PopularityFile.Bytes(PopularityFile.Random(IdCount, seed: 26)), 0.04, 0.32, edit: p => p.Remove("sha256"));

        using var package = ModelPackage.Load(_copy, TinyModel.Session);

        Assert.Null(package.Popularity!.Section.Sha256);
    }

    [Theory]
    [InlineData("weight", -0.5, "search.popularity.weight is -0.5; it must be finite and 0 or above")]
    [InlineData("weightWithoutHistory", -1.0, "search.popularity.weightWithoutHistory is -1; it must be finite and 0 or above")]
    [InlineData("weight", "NaN", "search.popularity.weight")]
    [InlineData("weightWithoutHistory", "1e400", "search.popularity.weightWithoutHistory")]
    [InlineData("file", "../popularity.bin", "search.popularity.file '../popularity.bin' is not a plain file name")]
    [InlineData("file", "models/popularity.bin", "search.popularity.file 'models/popularity.bin' is not a plain file name")]
    [InlineData("sha256", "abc", "search.popularity.sha256 is 'abc', not 64 hexadecimal digits")]
    [InlineData("weight", null, "not a valid model manifest")]
    [InlineData("file", null, "not a valid model manifest")]
    public void A_broken_section_is_refused(string field, object? value, string problem)
    {
        PopularityFile.AddTo(_copy, PopularityFile.Bytes(PopularityFile.Random(IdCount, seed: 27)), 0.04, 0.32, edit: section =>
        {
            if (value is null) section.Remove(field);
            // A bare token the trainer's json.dumps could write (NaN) or a number no double holds: written raw below.
            else if (value is string raw && field != "file" && field != "sha256") section[field] = $"@raw:{raw}";
            else section[field] = value switch
            {
                string s => JsonValue.Create(s),
                double d => JsonValue.Create(d),
                _ => throw new ArgumentOutOfRangeException(nameof(value)),
            };
        });
        var manifest = Path.Combine(_copy, "manifest.json");
        if (value is string token) File.WriteAllText(manifest, File.ReadAllText(manifest).Replace($"\"@raw:{token}\"", token));

        Refused("manifest.json", problem);
    }

    [Fact]
    public void A_search_section_whose_four_weights_are_0_adds_nothing_and_is_refused()
    {
        PopularityFile.AddTo(_copy, PopularityFile.Bytes(PopularityFile.Random(IdCount, seed: 28)), 0, 0);

        Refused("manifest.json", "search.textWeight, textWeightWithoutHistory, popularity.weight, popularity.weightWithoutHistory are all 0");
    }

    [Theory]
    [InlineData(0.0, 0.5, 0.0)]
    [InlineData(0.3, 0.0, 0.0)]
    [InlineData(0.0, 0.0, 2.0)]
    public void A_section_with_any_one_weight_above_0_loads(double weight, double weightWithoutHistory, double textWeightWithoutHistory)
    {
        PopularityFile.AddTo(_copy, PopularityFile.Bytes(PopularityFile.Random(IdCount, seed: 29)), weight, weightWithoutHistory,
            textWeight: 0, textWeightWithoutHistory: textWeightWithoutHistory);

        using var package = ModelPackage.Load(_copy, TinyModel.Session);

        Assert.Equal(weight, package.Manifest.Search!.PopularityWeightFor(true));
        Assert.Equal(weightWithoutHistory, package.Manifest.Search.PopularityWeightFor(false));
    }

    private void Refused(string file, string problem)
    {
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(_copy, TinyModel.Session));
        Assert.EndsWith(file, e.File);
        Assert.Contains(file, e.Message);
        Assert.Contains(problem, e.Message);
    }
}
