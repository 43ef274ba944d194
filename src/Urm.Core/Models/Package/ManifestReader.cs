using System.Text.Json;
using Urm.Core.Models.Runtime;

namespace Urm.Core.Models.Package;

/// <summary>Reads manifest.json into <see cref="ModelManifest"/> and refuses one serving cannot trust.</summary>
internal static class ManifestReader
{
    private const string Remedy = "Upload the manifest.json the trainer wrote next to fusion.onnx and user.onnx (python -m urm_train export --checkpoint DIR/checkpoint.pt --out DIR writes a fresh one)";

    // Missing fields and nulls in non-nullable places must fail here, not as a NullReferenceException
    // in the middle of a request.
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static ModelManifest Read(string path)
    {
        if (!File.Exists(path))
            throw new ModelPackageException(path, "the file is missing", Remedy);
        ModelManifest? manifest;
        try
        {
            using var stream = File.OpenRead(path);
            manifest = JsonSerializer.Deserialize<ModelManifest>(stream, Options);
        }
        catch (JsonException e)
        {
            var at = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" (at {e.Path})";
            throw new ModelPackageException(path, $"not a valid model manifest{at}: {e.Message}", Remedy, e);
        }
        catch (IOException e)
        {
            throw new ModelPackageException(path, $"cannot be read: {e.Message}", Remedy, e);
        }
        if (manifest is null)
            throw new ModelPackageException(path, "holds JSON null, not a manifest object", Remedy);
        Check(path, manifest);
        return manifest;
    }

    private static void Check(string path, ModelManifest m)
    {
        var s = m.Sizes;
        foreach (var (name, value) in new[]
                 {
                     ("d", s.D), ("dCard", s.DCard), ("M", s.M), ("L", s.L), ("layers", s.Layers), ("heads", s.Heads),
                     ("textDim", s.TextDim), ("imageDim", s.ImageDim), ("attributeBuckets", s.AttributeBuckets),
                     ("attributeTokens", s.AttributeTokens), ("priceBuckets", s.PriceBuckets), ("eventTypes", s.EventTypes),
                 })
        {
            if (value < 1) throw new ModelPackageException(path, $"sizes.{name} is {value}; it must be at least 1", Remedy);
        }
        if (s.IdCount < 0) throw new ModelPackageException(path, $"sizes.idCount is {s.IdCount}; it must not be negative", Remedy);
        if (m.IdTable.Count != s.IdCount)
            throw new ModelPackageException(path, $"idTable has {m.IdTable.Count} entries, but sizes.idCount is {s.IdCount}", Remedy);
        foreach (var (id, index) in m.IdTable)
            if (index < 1 || index > s.IdCount)
                throw new ModelPackageException(path, $"idTable maps '{id}' to {index}, outside 1..sizes.idCount ({s.IdCount})", Remedy);
        foreach (var (name, id) in m.EventTypes)
            if (id < 0 || id >= s.EventTypes)
                throw new ModelPackageException(path, $"eventTypes maps '{name}' to {id}, outside 0..sizes.eventTypes-1 ({s.EventTypes - 1})", Remedy);
        if (!m.EventTypes.Any(e => e.Value > 0))
            throw new ModelPackageException(path, "eventTypes lists no event type besides padding", Remedy);
        var newItems = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in m.NewItems)
        {
            if (string.IsNullOrWhiteSpace(id))
                throw new ModelPackageException(path, "newItems lists a blank item id", Remedy);
            if (!newItems.Add(id))
                throw new ModelPackageException(path, $"newItems lists '{id}' twice", Remedy);
            // A new item's events never reached training, so it cannot have an ID embedding.
            if (m.IdTable.ContainsKey(id))
                throw new ModelPackageException(path, $"newItems lists '{id}', which idTable also lists: an item kept out of training has no ID embedding", Remedy);
        }
        var keys = m.Prompts.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (task, key) in m.Tasks)
            if (!keys.Contains(key))
                throw new ModelPackageException(path, $"tasks maps '{task}' to prompt '{key}', which prompts does not list", Remedy);
        foreach (var (section, graph) in new[] { ("fusion", m.Onnx.Fusion), ("user", m.Onnx.User) })
        {
            if (graph.File.Length == 0 || Path.GetFileName(graph.File) != graph.File)
                throw new ModelPackageException(path, $"onnx graph file '{graph.File}' is not a plain file name in the package directory", Remedy);
            if (graph.Sha256 is { } sha && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit)))
                throw new ModelPackageException(path, $"onnx.{section}.sha256 is '{sha}', not 64 hexadecimal digits", Remedy);
        }
        if (m.CoOccurrence is { } co) CheckCoOccurrence(path, m, co);
        if (m.Repeat is { } repeat) CheckRepeat(path, m, repeat);
        if (m.Search is { } search) CheckSearch(path, m, search);
    }

    private static void CheckSearch(string path, ModelManifest m, SearchSection search)
    {
        var popularity = search.Popularity;
        var weights = new List<(string Name, double Weight)>
        {
            ("textWeight", search.TextWeight), ("textWeightWithoutHistory", search.TextWeightWithoutHistory ?? 0),
        };
        if (popularity is not null)
            weights.AddRange([("popularity.weight", popularity.Weight), ("popularity.weightWithoutHistory", popularity.WeightWithoutHistory)]);
        foreach (var (name, weight) in weights)
            if (!double.IsFinite(weight) || weight < 0)
                throw new ModelPackageException(path, $"search.{name} is {weight}; it must be finite and 0 or above", Remedy);
        if (weights.All(w => w.Weight == 0))
            throw new ModelPackageException(path,
                $"search.{string.Join(", ", weights.Select(w => w.Name))} are all 0; a model whose search adds neither the text term nor the popularity prior leaves the section out", Remedy);
        if (popularity is not null) CheckSideFile(path, "search.popularity", popularity.File, popularity.Sha256);
        if (search.QueryMap is { } map) CheckSideFile(path, "search.queryMap", map.File, map.Sha256);
        if (!m.Tasks.ContainsKey("search"))
            throw new ModelPackageException(path, "the manifest has a search section but tasks does not list search", Remedy);
        if (search.TextModel != SearchSection.ServedTextModel)
            throw new ModelPackageException(path, $"search.textModel is '{search.TextModel}'; serving embeds queries and item text with {SearchSection.ServedTextModel}", Remedy);
    }

    /// <summary>A side file the section names (<paramref name="field"/>.file, .sha256) must sit in the package directory and its hash be hex.</summary>
    private static void CheckSideFile(string path, string field, string file, string? sha256)
    {
        if (file.Length == 0 || Path.GetFileName(file) != file)
            throw new ModelPackageException(path, $"{field}.file '{file}' is not a plain file name in the package directory", Remedy);
        if (sha256 is { } sha && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit)))
            throw new ModelPackageException(path, $"{field}.sha256 is '{sha}', not 64 hexadecimal digits", Remedy);
    }

    private static void CheckRepeat(string path, ModelManifest m, RepeatSection repeat)
    {
        // The term's bucket lookup (RepeatTerm.Bucket) relies on starts that begin at 0 and ascend.
        var starts = repeat.RecencyStarts;
        if (starts.Count == 0)
            throw new ModelPackageException(path, "repeat.recencyStarts is empty; it must list at least the start 0", Remedy);
        if (starts[0] != 0)
            throw new ModelPackageException(path, $"repeat.recencyStarts starts at {starts[0]}; the first bucket must start at 0 (the newest history item)", Remedy);
        for (var b = 1; b < starts.Count; b++)
            if (starts[b] <= starts[b - 1])
                throw new ModelPackageException(path, $"repeat.recencyStarts is not strictly ascending: [{b}] = {starts[b]} follows [{b - 1}] = {starts[b - 1]}", Remedy);
        foreach (var (name, terms) in repeat.ByEvent)
        {
            if (terms.Count != starts.Count)
                throw new ModelPackageException(path, $"repeat.byEvent.{name} has {terms.Count} values; it must have one per recency bucket, {starts.Count} (repeat.recencyStarts)", Remedy);
            for (var b = 0; b < terms.Count; b++)
                if (!float.IsFinite(terms[b]))
                    throw new ModelPackageException(path, $"repeat.byEvent.{name}[{b}] is {terms[b]}; the terms must be finite", Remedy);
        }
        if (repeat.Tasks.Count == 0)
            throw new ModelPackageException(path, "repeat.tasks is empty; a section that applies to no task must be left out", Remedy);
        foreach (var task in repeat.Tasks)
            if (!m.Tasks.ContainsKey(task))
                throw new ModelPackageException(path, $"repeat.tasks lists '{task}', which tasks does not list", Remedy);
    }

    private static void CheckCoOccurrence(string path, ModelManifest m, CoOccurrenceSection co)
    {
        if (co.File.Length == 0 || Path.GetFileName(co.File) != co.File)
            throw new ModelPackageException(path, $"cooccurrence.file '{co.File}' is not a plain file name in the package directory", Remedy);
        if (co.Sha256 is { } sha && (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit)))
            throw new ModelPackageException(path, $"cooccurrence.sha256 is '{sha}', not 64 hexadecimal digits", Remedy);
        if (!double.IsFinite(co.Weight) || co.Weight < 0)
            throw new ModelPackageException(path, $"cooccurrence.weight is {co.Weight}; it must be a finite number of at least 0", Remedy);
        if (co.Recent < 1 || co.Recent > CoOccurrenceSection.MaxRecent)
            throw new ModelPackageException(path, $"cooccurrence.recent is {co.Recent}; it must be within 1..{CoOccurrenceSection.MaxRecent}", Remedy);
        foreach (var (name, value, least) in new[] { ("window", co.Window, 1), ("perItem", co.PerItem, 1), ("pairs", co.Pairs, 0) })
            if (value < least) throw new ModelPackageException(path, $"cooccurrence.{name} is {value}; it must be at least {least}", Remedy);
        foreach (var task in co.Tasks)
            if (!m.Tasks.ContainsKey(task))
                throw new ModelPackageException(path, $"cooccurrence.tasks lists '{task}', which tasks does not list", Remedy);
    }
}
