using System.Collections.Concurrent;
using Urm.Core.Features.Text;
using Urm.Core.Models.Package;

namespace Urm.Core.Prompts;

/// <summary>
/// A task (+ category / query) -> the prompt rows user.onnx reads, row-major [P, textDim]. The pieces
/// and their order mirror the trainer (src/trainer/urm_train/data.py): next-item [task:next-item],
/// next-purchase [task:next-purchase], similar [task:similar], category [task:category, category:&lt;path&gt;];
/// search [task:search, query:&lt;text&gt;], explore [task:explore]; a task a model was not trained on
/// reads [task:&lt;name&gt;] (older packages lack search and explore). Texts come from the
/// manifest's <c>prompts</c> so serving embeds exactly what training embedded; a piece the manifest
/// lacks (a category added after training, a query) is embedded from <see cref="PromptTemplates"/>.
/// Embeddings are cached per key: a prompt is encoded once per process, not once per request. Pieces
/// that come from requests (queries, free-text instructions, categories unknown to the manifest) are
/// cached only up to a bound, so callers cannot grow the cache without limit.
/// </summary>
public sealed class PromptEncoder
{
    private readonly ModelManifest _manifest;
    private readonly ITextEncoder _text;
    private readonly Dictionary<string, string> _texts;
    private readonly ConcurrentDictionary<string, float[]> _cache = new(StringComparer.Ordinal);
    // The text encoder's session is not documented as thread-safe; prompts are few, so one at a time.
    private readonly Lock _encodeGate = new();
    private readonly int _maxCached;

    /// <param name="maxCached">Cached embeddings of pieces the manifest does not name (queries, free text); manifest pieces are always cached.</param>
    public PromptEncoder(ModelManifest manifest, ITextEncoder text, int maxCached = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCached);
        _maxCached = maxCached;
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Dimension != manifest.Sizes.TextDim)
            throw new ArgumentException($"The text encoder gives {text.Dimension} values; model {manifest.Version} takes sizes.textDim = {manifest.Sizes.TextDim}.", nameof(text));
        _manifest = manifest;
        _text = text;
        _texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var piece in manifest.Prompts) _texts[piece.Key] = piece.Text;
    }

    /// <summary>
    /// Embeds every piece the manifest names (tasks, categories) that is not cached yet, one at a time as a
    /// request would. Call it off the request path when a model is activated: left to requests, the first
    /// seconds of traffic embed some 250 pieces behind the encoder's lock (one at a time), and the requests
    /// queued behind it hold their threads (docs/BENCHMARKS.md, "HTTP load", 2026-12-04).
    /// </summary>
    public void WarmUp(CancellationToken cancellationToken)
    {
        foreach (var key in _texts.Keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Embedding(key);
        }
    }

    /// <summary>Whether the model was trained with this task (the manifest's <c>tasks</c> names it).</summary>
    public bool IsTrained(string task) => _manifest.Tasks.ContainsKey(task);

    /// <summary>The prompt piece keys of a task, in the order the model reads them.</summary>
    /// <exception cref="ArgumentException">Unknown task, or a category/query the task needs is missing.</exception>
    public IReadOnlyList<string> Keys(string task, string? category = null, string? query = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        if (!PromptTemplates.Tasks.ContainsKey(task) && !_manifest.Tasks.ContainsKey(task))
            throw new ArgumentException($"Unknown task '{task}'; known tasks: {string.Join(", ", PromptTemplates.Tasks.Keys)}.", nameof(task));
        var taskKey = _manifest.Tasks.TryGetValue(task, out var key) ? key : PromptTemplates.TaskKey(task);
        return task switch
        {
            "category" => [taskKey, PromptTemplates.CategoryKey(Required(category, task, "category"))],
            "search" => [taskKey, QueryKey(Required(query, task, "query"))],
            _ => [taskKey],
        };
    }

    /// <summary>Prompt rows of a task, row-major [P, textDim] (a fresh array the caller may keep).</summary>
    public float[] Encode(string task, string? category = null, string? query = null)
        => Encode(task, category, query, instruction: null);

    /// <summary>
    /// Prompt rows of a task whose instruction piece is replaced by free text (when not blank); the task's
    /// input pieces (category, query) stay, so a shop can phrase the request its own way.
    /// </summary>
    public float[] Encode(string task, string? category, string? query, string? instruction)
    {
        var keys = Keys(task, category, query).ToArray();
        if (!string.IsNullOrWhiteSpace(instruction)) keys[0] = InstructionKey(instruction.Trim());
        var dim = _manifest.Sizes.TextDim;
        var prompt = new float[keys.Length * dim];
        for (var i = 0; i < keys.Length; i++) Embedding(keys[i]).CopyTo(prompt, i * dim);
        return prompt;
    }

    /// <summary>
    /// The query as typed, embedded by the text encoder alone (no prompt template): what the served search
    /// score's text term compares with each item's text (<see cref="Models.Package.SearchSection"/>).
    /// A fresh array the caller may keep.
    /// </summary>
    public float[] EncodeTypedQuery(string query)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        return (float[])Embedding(TypedPrefix + query.Trim()).Clone();
    }

    private float[] Embedding(string key)
    {
        if (_cache.TryGetValue(key, out var cached)) return cached;
        var text = TextOf(key);
        float[] vector;
        lock (_encodeGate) vector = _text.Encode([text])[0];
        // The count is read without a lock: the bound may be overshot by a few concurrent adds, no more.
        return _texts.ContainsKey(key) || _cache.Count < _maxCached ? _cache.GetOrAdd(key, vector) : vector;
    }

    private string TextOf(string key)
    {
        if (_texts.TryGetValue(key, out var text)) return text;
        if (key.StartsWith("task:", StringComparison.Ordinal) && PromptTemplates.Tasks.TryGetValue(key["task:".Length..], out var instruction))
            return instruction;
        if (key.StartsWith("category:", StringComparison.Ordinal)) return PromptTemplates.CategoryText(key["category:".Length..]);
        if (key.StartsWith("query:", StringComparison.Ordinal)) return PromptTemplates.QueryText(key["query:".Length..]);
        if (key.StartsWith(InstructionPrefix, StringComparison.Ordinal)) return key[InstructionPrefix.Length..];
        if (key.StartsWith(TypedPrefix, StringComparison.Ordinal)) return key[TypedPrefix.Length..];
        throw new ArgumentException($"No text for prompt piece '{key}': it is not in the manifest of model {_manifest.Version} nor in PromptTemplates.", nameof(key));
    }

    private static string QueryKey(string query) => "query:" + query;

    // Free text is embedded as given: the shop wrote the whole instruction.
    private const string InstructionPrefix = "instruction:";
    private const string TypedPrefix = "typed:";

    private static string InstructionKey(string text) => InstructionPrefix + text;

    private static string Required(string? value, string task, string name)
        => string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException($"The '{task}' task needs a {name}.", name)
            : value.Trim();
}
