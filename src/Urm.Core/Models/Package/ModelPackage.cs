using Microsoft.ML.OnnxRuntime;
using Urm.Core.Features;
using Urm.Core.Models.Runtime;

namespace Urm.Core.Models.Package;

/// <summary>
/// A trained model directory (docs/FORMATS.md, "Model directory"): the manifest and one ONNX Runtime
/// session per graph, created once and checked against the manifest and against what
/// <see cref="CardFuser"/> and <see cref="UserEncoder"/> feed, the co-occurrence table
/// (<see cref="CoOccurrenceTable"/>) when the manifest names one, and the repeat term
/// (<see cref="RepeatTerm"/>) when it has one, and the search popularity prior (<see cref="PopularityPrior"/>)
/// and query map (<see cref="SearchQueryMap"/>) when its search section has them. A package that loads can be served.
/// </summary>
public sealed class ModelPackage : IDisposable
{
    public const string ManifestFile = "manifest.json";

    private ModelPackage(string directory, ModelManifest manifest, CoOccurrenceTable? coOccurrence, PopularityPrior? popularity,
        SearchQueryMap? queryMap, InferenceSession fusion, InferenceSession user, ExecutionProvider provider)
    {
        Directory = directory;
        Manifest = manifest;
        CoOccurrence = coOccurrence;
        Popularity = popularity;
        QueryMap = queryMap;
        Repeat = manifest.Repeat is { } repeat ? new RepeatTerm(repeat) : null;
        Fusion = fusion;
        User = user;
        Provider = provider;
    }

    public string Directory { get; }
    public ModelManifest Manifest { get; }
    public string Version => Manifest.Version;
    public ModelSizes Sizes => Manifest.Sizes;

    /// <summary>
    /// The item-to-item co-occurrence table whose boost the served score of its tasks adds; null when the
    /// manifest has no <c>cooccurrence</c> section (the model's score alone is served).
    /// </summary>
    public CoOccurrenceTable? CoOccurrence { get; }

    /// <summary>
    /// The model's learned repeat term for items already in the model history, which the model score of
    /// its tasks adds (before any co-occurrence boost); null when the manifest has no <c>repeat</c> section.
    /// </summary>
    public RepeatTerm? Repeat { get; }

    /// <summary>
    /// The items' training event counts whose prior the served search score adds; null when the manifest's
    /// search section has no <c>popularity</c> (or there is no search section).
    /// </summary>
    public PopularityPrior? Popularity { get; }

    /// <summary>
    /// The learnt map the served search text term sends the typed query through; null when the manifest's
    /// search section has no <c>queryMap</c> (or there is no search section): the query as typed.
    /// </summary>
    public SearchQueryMap? QueryMap { get; }

    /// <summary>Where the graphs run (CUDA only when asked for and available).</summary>
    public ExecutionProvider Provider { get; }

    internal InferenceSession Fusion { get; }
    internal InferenceSession User { get; }

    /// <param name="directory">The model directory the trainer wrote.</param>
    /// <param name="options">Session settings; CPU with ONNX Runtime's default threads when null.</param>
    /// <exception cref="ModelPackageException">The package is incomplete, inconsistent or not what this code can run.</exception>
    public static ModelPackage Load(string directory, EncoderSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= EncoderSessionOptions.Default;
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
            throw new ModelPackageException(full, "the model directory does not exist", "Point at the directory the trainer wrote (it holds manifest.json, fusion.onnx and user.onnx)");
        var manifestPath = Path.Combine(full, ManifestFile);
        var manifest = VerifyFiles(full);
        // Before the sessions: a broken table is refused without loading a graph.
        var coOccurrence = manifest.CoOccurrence is { } section ? CoOccurrenceTable.Load(Path.Combine(full, section.File), manifest) : null;
        var popularity = manifest.Search?.Popularity is { } prior ? PopularityPrior.Load(Path.Combine(full, prior.File), manifest) : null;
        var queryMap = manifest.Search?.QueryMap is { } map ? SearchQueryMap.Load(Path.Combine(full, map.File), manifest) : null;

        InferenceSession? fusion = null, user = null;
        try
        {
            fusion = Open(Path.Combine(full, manifest.Onnx.Fusion.File), options, out var provider);
            user = Open(Path.Combine(full, manifest.Onnx.User.File), options, out _);
            GraphSignatureCheck.Verify(Path.Combine(full, manifest.Onnx.Fusion.File), manifestPath, "fusion", fusion, manifest.Onnx.Fusion, GraphContracts.Fusion(manifest.Sizes));
            GraphSignatureCheck.Verify(Path.Combine(full, manifest.Onnx.User.File), manifestPath, "user", user, manifest.Onnx.User, GraphContracts.User(manifest.Sizes));
            return new ModelPackage(full, manifest, coOccurrence, popularity, queryMap, fusion, user, provider);
        }
        catch
        {
            fusion?.Dispose();
            user?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the manifest of <paramref name="directory"/> and checks that both graph files (and the
    /// co-occurrence table, the popularity counts and the query map, when the manifest names them) are there and, where the manifest lists their
    /// SHA-256, that their bytes are the ones exported. Cheap next to
    /// <see cref="Load"/> (no ONNX Runtime session), so a downloader can refuse a package before activating it.
    /// </summary>
    /// <exception cref="ModelPackageException">The manifest is invalid, or a graph file is missing or differs, named in the message.</exception>
    public static ModelManifest VerifyFiles(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var full = Path.GetFullPath(directory);
        var manifestPath = Path.Combine(full, ManifestFile);
        var manifest = ManifestReader.Read(manifestPath);
        const string remedy = "Upload the complete model directory the trainer wrote (manifest.json, fusion.onnx, user.onnx, and cooccurrence.bin, popularity.bin and query_map.bin where the manifest names them) again";
        var files = new List<(string Field, string File, string? Sha256)>
        {
            ("onnx.fusion.sha256", manifest.Onnx.Fusion.File, manifest.Onnx.Fusion.Sha256),
            ("onnx.user.sha256", manifest.Onnx.User.File, manifest.Onnx.User.Sha256),
        };
        if (manifest.CoOccurrence is { } co) files.Add(("cooccurrence.sha256", co.File, co.Sha256));
        if (manifest.Search?.Popularity is { } popularity) files.Add(("search.popularity.sha256", popularity.File, popularity.Sha256));
        if (manifest.Search?.QueryMap is { } map) files.Add(("search.queryMap.sha256", map.File, map.Sha256));
        foreach (var (field, file, sha256) in files)
        {
            var path = Path.Combine(full, file);
            if (!File.Exists(path)) throw new ModelPackageException(path, "the file is missing", remedy);
            if (sha256 is not { } expected) continue;
            string actual;
            using (var stream = File.OpenRead(path)) actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
            CheckSha256(path, actual, expected, field, remedy);
        }
        return manifest;
    }

    /// <summary>Refuses a file whose hex SHA-256 (<paramref name="actual"/>) is not the manifest's <paramref name="field"/>.</summary>
    internal static void CheckSha256(string path, string actual, string expected, string field, string remedy)
    {
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            throw new ModelPackageException(path,
                $"its SHA-256 is {actual}, but manifest.json ({field}) says {expected.ToLowerInvariant()}: the file is truncated, corrupt or from another package",
                remedy);
    }

    public void Dispose()
    {
        Fusion.Dispose();
        User.Dispose();
    }

    private static InferenceSession Open(string path, EncoderSessionOptions options, out ExecutionProvider provider)
    {
        const string remedy = "Upload the complete model directory the trainer wrote (manifest.json, fusion.onnx, user.onnx)";
        if (!File.Exists(path))
            throw new ModelPackageException(path, "the file is missing", remedy);
        try
        {
            return EncoderSession.Create(path, options, out provider);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelPackageException(path, $"ONNX Runtime cannot load the graph: {e.Message}", remedy, e);
        }
    }
}
