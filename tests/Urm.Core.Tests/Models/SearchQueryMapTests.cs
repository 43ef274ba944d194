using System.Text.Json.Nodes;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;

namespace Urm.Core.Tests.Models;

/// <summary>
/// query_map.bin and the manifest's search.queryMap in a copy of the tiny package: the mapped query is
/// normalize(q A) by its definition, a manifest without the object loads as before, and every way the file
/// or its object can break is refused at load with the file and the problem named.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class SearchQueryMapTests(TinyModel model) : IDisposable
{
    private readonly string _copy = CoOccurrenceFile.CopyPackage(model.Directory, "urm-query-map-model-");

    private int TextDim => model.Package.Sizes.TextDim;

    public void Dispose()
    {
        try { Directory.Delete(_copy, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void The_mapped_query_is_q_times_A_divided_by_its_norm()
    {
        var a = QueryMapFile.Random(TextDim, seed: 31);
        using var package = Load(QueryMapFile.Bytes(a));
        var q = Unit(TextDim, seed: 32);

        var mapped = Assert.IsType<SearchQueryMap>(package.QueryMap).Apply(q);

        // m_c = Σ_r q_r A[r, c] (A row-major, so not A's transpose), then unit length.
        var m = Enumerable.Range(0, TextDim).Select(c => Enumerable.Range(0, TextDim).Sum(r => (double)q[r] * a[r * TextDim + c])).ToArray();
        var norm = Math.Sqrt(m.Sum(x => x * x));
        Assert.Equal(TextDim, mapped.Length);
        // float arithmetic against double: within a few float roundings of each value
        for (var c = 0; c < TextDim; c++) Assert.Equal(m[c] / norm, mapped[c], 1e-6);
        Assert.Equal(1.0, Math.Sqrt(mapped.Sum(x => (double)x * x)), 1e-6);
        Assert.Equal((QueryMapFile.Name, TextDim), (package.QueryMap!.Section.File, package.QueryMap.Dimension));
        Assert.Matches("^[0-9a-f]{64}$", package.QueryMap.Section.Sha256);
    }

    [Fact]
    public void A_permutation_moves_each_value_to_its_column_and_a_map_to_zero_gives_the_zero_vector()
    {
        // A[r, (r + 1) mod n] = 2: the query shifted one place to the right, doubled, then normalised back.
        var shift = new float[TextDim * TextDim];
        for (var r = 0; r < TextDim; r++) shift[r * TextDim + (r + 1) % TextDim] = 2;
        using var package = Load(QueryMapFile.Bytes(shift));
        var q = Unit(TextDim, seed: 33);

        var mapped = package.QueryMap!.Apply(q);

        // Within float roundings (the norm's sum order depends on the CPU's vector width), not rounded to places:
        // 0.0205764994 and 0.0205765013 round apart.
        for (var c = 0; c < TextDim; c++) Assert.Equal(q[(c + TextDim - 1) % TextDim], mapped[c], 1e-6f);

        File.Delete(Path.Combine(_copy, QueryMapFile.Name));
        QueryMapFile.AddTo(_copy, QueryMapFile.Bytes(new float[TextDim * TextDim]));
        using var zero = ModelPackage.Load(_copy, TinyModel.Session);
        Assert.All(zero.QueryMap!.Apply(q), x => Assert.Equal(0f, x));
        Assert.Throws<ArgumentException>(() => zero.QueryMap.Apply(q.AsSpan(1)));
    }

    [Fact]
    public void A_manifest_without_a_query_map_loads_as_before()
    {
        PopularityFile.AddSearch(_copy, textWeight: 4, textWeightWithoutHistory: 16);

        using var package = ModelPackage.Load(_copy, TinyModel.Session);

        Assert.Null(package.QueryMap);
        Assert.Null(package.Manifest.Search!.QueryMap);
        Assert.Equal((4.0, 16.0), (package.Manifest.Search.WeightFor(true), package.Manifest.Search.WeightFor(false)));
        Assert.Null(ModelPackage.VerifyFiles(_copy).Search!.QueryMap);
        Assert.Null(model.Package.QueryMap);
    }

    [Fact]
    public void A_file_without_a_checksum_still_loads()
    {
        using var package = Load(QueryMapFile.Bytes(QueryMapFile.Random(TextDim, seed: 34)), edit: m => m.Remove("sha256"));

        Assert.Null(package.QueryMap!.Section.Sha256);
    }

    [Theory]
    [InlineData("magic", "starts with 'URMP', not 'URMQ'")]
    [InlineData("version", "format version is 2")]
    [InlineData("rows", "it is 383 x 384, but manifest.json has sizes.textDim = 384, so it must be 384 x 384")]
    [InlineData("cols", "it is 384 x 385, but manifest.json has sizes.textDim = 384")]
    [InlineData("smaller", "it is 383 x 383, but manifest.json has sizes.textDim = 384")]
    [InlineData("truncated", "bytes long, but 384 x 384 values take")]
    [InlineData("longer", "bytes long, but 384 x 384 values take")]
    [InlineData("short header", "shorter than its 16-byte header")]
    [InlineData("NaN", "A[3, 7] is NaN; the map's values must be finite")]
    [InlineData("infinite", "the map's values must be finite")]
    public void A_broken_file_is_refused(string broken, string problem)
    {
        var a = QueryMapFile.Random(TextDim, seed: 35);
        byte[] With(Action<float[]> edit)
        {
            edit(a);
            return QueryMapFile.Bytes(a);
        }
        var bytes = broken switch
        {
            "magic" => QueryMapFile.Bytes(a, magic: "URMP"),
            "version" => QueryMapFile.Bytes(a, version: 2),
            "rows" => QueryMapFile.Bytes(a, rows: TextDim - 1),
            "cols" => QueryMapFile.Bytes(a, cols: TextDim + 1),
            "smaller" => QueryMapFile.Bytes(QueryMapFile.Random(TextDim - 1, seed: 36)),
            "truncated" => QueryMapFile.Bytes(a)[..^4],
            "longer" => [.. QueryMapFile.Bytes(a), 0, 0, 0, 0],
            "short header" => QueryMapFile.Bytes(a)[..12],
            "NaN" => With(m => m[3 * TextDim + 7] = float.NaN),
            "infinite" => With(m => m[^1] = float.NegativeInfinity),
            _ => throw new ArgumentOutOfRangeException(nameof(broken)),
        };
        // The manifest's checksum is of the broken bytes, so the format check is what refuses them.
        AddSearchWithMap(bytes);

        var e = Refused(QueryMapFile.Name, problem);
        Assert.Contains("Upload the query_map.bin the trainer exported together with this manifest.json", e.Message);
    }

    [Fact]
    public void A_file_whose_bytes_differ_from_the_manifest_checksum_is_refused_by_the_download_check_and_the_load()
    {
        var bytes = QueryMapFile.Bytes(QueryMapFile.Random(TextDim, seed: 37));
        AddSearchWithMap(bytes);
        bytes[^1] ^= 1; // the last value's lowest bit: still a valid map, but not the exported one
        File.WriteAllBytes(Path.Combine(_copy, QueryMapFile.Name), bytes);

        Refused(QueryMapFile.Name, "search.queryMap.sha256");
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.VerifyFiles(_copy));
        Assert.Contains("search.queryMap.sha256", e.Message);
        Assert.Contains("query_map.bin where the manifest names them", e.Message);
        Assert.EndsWith(QueryMapFile.Name, e.File);
    }

    [Fact]
    public void A_missing_file_is_refused_by_the_download_check_and_the_load()
    {
        AddSearchWithMap(QueryMapFile.Bytes(QueryMapFile.Random(TextDim, seed: 38)));
        File.Delete(Path.Combine(_copy, QueryMapFile.Name));

        Refused(QueryMapFile.Name, "the file is missing");
        Assert.EndsWith(QueryMapFile.Name, Assert.Throws<ModelPackageException>(() => ModelPackage.VerifyFiles(_copy)).File);
    }

    [Theory]
    [InlineData("file", "../query_map.bin", "search.queryMap.file '../query_map.bin' is not a plain file name")]
    [InlineData("file", "models/query_map.bin", "search.queryMap.file 'models/query_map.bin' is not a plain file name")]
    [InlineData("sha256", "abc", "search.queryMap.sha256 is 'abc', not 64 hexadecimal digits")]
    [InlineData("file", null, "not a valid model manifest")]
    public void A_broken_object_is_refused(string field, string? value, string problem)
    {
        AddSearchWithMap(QueryMapFile.Bytes(QueryMapFile.Random(TextDim, seed: 39)), edit: m =>
        {
            if (value is null) m.Remove(field);
            else m[field] = value;
        });

        Refused("manifest.json", problem);
    }

    private ModelPackage Load(byte[] bytes, Action<JsonObject>? edit = null)
    {
        AddSearchWithMap(bytes, edit);
        return ModelPackage.Load(_copy, TinyModel.Session);
    }

    private void AddSearchWithMap(byte[] bytes, Action<JsonObject>? edit = null)
    {
        PopularityFile.AddSearch(_copy, textWeight: 4, textWeightWithoutHistory: 16);
        QueryMapFile.AddTo(_copy, bytes, edit);
    }

    private static float[] Unit(int n, int seed)
    {
        var random = new Random(seed);
        var v = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private ModelPackageException Refused(string file, string problem)
    {
        var e = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(_copy, TinyModel.Session));
        Assert.EndsWith(file, e.File);
        Assert.Contains(file, e.Message);
        Assert.Contains(problem, e.Message);
        return e;
    }
}
