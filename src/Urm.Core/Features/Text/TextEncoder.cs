using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;
using Urm.Core.Features.Onnx;
using Urm.Core.Pretrained;

namespace Urm.Core.Features.Text;

/// <summary>
/// all-MiniLM-L6-v2 sentence vectors (384-d, mean-pooled over real tokens, L2-normalised), the same
/// as sentence-transformers gives. Tokenising and running are separate steps so that the model run
/// can be timed on its own. Safe to share across threads: the tokenizer and session are both read-only.
/// </summary>
public sealed class TextEncoder : ITextEncoder, IDisposable
{
    public const int ModelDimension = 384;
    private const string InputIdsName = "input_ids";
    private const string AttentionMaskName = "attention_mask";
    private const string TokenTypeIdsName = "token_type_ids";
    private const string HiddenStateName = "last_hidden_state";
    private const int WordSlack = 32;

    private readonly BertTokenizer _tokenizer;
    private readonly InferenceSession _session;
    private readonly int _maxTokens;
    private readonly int _sortedRun;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    public TextEncoder(MiniLmFiles files, TextEncoderOptions? options = null)
    {
        options ??= TextEncoderOptions.Default;
        if (options.MaxTokens < 3) throw new ArgumentOutOfRangeException(nameof(options), "MaxTokens must leave room for [CLS], [SEP] and one token.");
        _maxTokens = options.MaxTokens;
        ArgumentOutOfRangeException.ThrowIfNegative(options.LengthSortedRun);
        _sortedRun = options.LengthSortedRun;
        using (var vocabulary = new MemoryStream(files.Vocabulary, writable: false))
        {
            _tokenizer = BertTokenizer.Create(vocabulary, new BertOptions
            {
                LowerCaseBeforeTokenization = true,
                RemoveNonSpacingMarks = true,
            });
        }
        var model = options.Precision switch
        {
            TextPrecision.Fp32 => files.Model,
            // Quantised from the shipped bytes at every load (about a second): nothing to keep in step on disk.
            TextPrecision.Int8 => DynamicMatMulQuantization.Apply(files.Model, TextEncoderOptions.Int8WeightBits, Int8Products),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Precision, "Unknown text precision."),
        };
        _session = EncoderSession.Create(model, options.SessionOrDefault, out var provider);
        Provider = provider;
        Precision = options.Precision;
        try
        {
            _inputNames = CheckInputs(_session);
            _outputNames = [FindHiddenState(_session)];
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>Loads the model and vocabulary from the build's pretrained folder.</summary>
    public static TextEncoder Load(TextEncoderOptions? options = null) => new(MiniLmFiles.Load(), options);

    public int Dimension => ModelDimension;

    public ExecutionProvider Provider { get; }

    public TextPrecision Precision { get; }

    public int MaxTokens => _maxTokens;

    public TokenizedBatch Tokenize(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return Pack(texts.Select(TokenIds).ToArray());
    }

    private IReadOnlyList<int> TokenIds(string? text)
    {
        // The library stops at a whole word below its limit, where sentence-transformers cuts inside a
        // word at exactly the window: ask for a little more and cut here. Special tokens are added in
        // Pack so that the window is exact.
        var tokens = _tokenizer.EncodeToIds(AccentFolding.Fold(text ?? ""), _maxTokens + WordSlack, addSpecialTokens: false, out _, out _);
        return tokens.Count <= _maxTokens - 2 ? tokens : tokens.Take(_maxTokens - 2).ToArray();
    }

    private TokenizedBatch Pack(IReadOnlyList<IReadOnlyList<int>> ids)
    {
        var length = ids.Count == 0 ? 0 : ids.Max(t => t.Count) + 2;
        var inputIds = new long[ids.Count * length];
        var mask = new long[ids.Count * length];
        for (var i = 0; i < ids.Count; i++)
        {
            var row = i * length;
            inputIds[row] = _tokenizer.ClassificationTokenId;
            for (var t = 0; t < ids[i].Count; t++) inputIds[row + 1 + t] = ids[i][t];
            inputIds[row + 1 + ids[i].Count] = _tokenizer.SeparatorTokenId;
            mask.AsSpan(row, ids[i].Count + 2).Fill(1);
            // Padding id is 0 in BERT vocabularies, which the zeroed array already holds.
            if (_tokenizer.PaddingTokenId != 0)
                inputIds.AsSpan(row + ids[i].Count + 2, length - ids[i].Count - 2).Fill(_tokenizer.PaddingTokenId);
        }
        return new TokenizedBatch(ids.Count, length, inputIds, mask, new long[ids.Count * length]);
    }

    /// <summary>Runs the model on a tokenised batch and writes Count × 384 pooled, normalised floats.</summary>
    public void Run(TokenizedBatch batch, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (output.Length < batch.Count * ModelDimension)
            throw new ArgumentException($"The output needs {batch.Count * ModelDimension} floats, it has {output.Length}.", nameof(output));
        if (batch.Count == 0) return;

        long[] shape = [batch.Count, batch.Length];
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, shape);
        var values = new List<OrtValue>(3);
        foreach (var name in _inputNames)
            values.Add(name switch { InputIdsName => ids, AttentionMaskName => mask, _ => types });
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, _inputNames, values, _outputNames);
        Pool(outputs[0].GetTensorDataAsSpan<float>(), batch, output);
    }

    /// <summary>
    /// The products quantised in <see cref="TextPrecision.Int8"/>: all but the feed-forward down-projections,
    /// which read the 1,536-wide GELU output. Its few large values set the range of the whole tensor's
    /// uint8 quantisation (one scale per run), so these six lose the most: with them quantised too the mean
    /// cosine to fp32 fell from 0.9956 to 0.9919 over 200 Beauty item texts (docs/BENCHMARKS.md, "int8 MiniLM and batched images").
    /// </summary>
    internal static bool Int8Products(WeightProduct product) => product.Rows <= ModelDimension;

    public float[][] Encode(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var ids = texts.Select(TokenIds).ToArray();
        // Padded positions cost as much as real ones in every layer: runs of similar lengths pad little.
        var order = Enumerable.Range(0, ids.Length).ToArray();
        var run = _sortedRun == 0 ? Math.Max(ids.Length, 1) : _sortedRun;
        if (_sortedRun > 0) order = [.. order.OrderBy(i => ids[i].Count)];   // stable: ties keep the caller's order
        var vectors = new float[ids.Length][];
        var flat = new float[Math.Min(run, ids.Length) * ModelDimension];
        for (var start = 0; start < order.Length; start += run)
        {
            var rows = order.AsSpan(start, Math.Min(run, order.Length - start)).ToArray();
            var batch = Pack(rows.Select(i => ids[i]).ToArray());
            Run(batch, flat);
            for (var k = 0; k < rows.Length; k++) vectors[rows[k]] = flat.AsSpan(k * ModelDimension, ModelDimension).ToArray();
        }
        return vectors;
    }

    public float[] Encode(string text) => Encode([text])[0];

    public void Dispose() => _session.Dispose();

    private static void Pool(ReadOnlySpan<float> hidden, TokenizedBatch batch, Span<float> output)
    {
        var width = Vector<float>.Count;
        for (var b = 0; b < batch.Count; b++)
        {
            var sum = output.Slice(b * ModelDimension, ModelDimension);
            sum.Clear();
            var tokens = 0;
            for (var t = 0; t < batch.Length; t++)
            {
                if (batch.AttentionMask[b * batch.Length + t] == 0) continue;
                tokens++;
                var row = hidden.Slice((b * batch.Length + t) * ModelDimension, ModelDimension);
                var d = 0;
                for (; d <= ModelDimension - width; d += width)
                    (new Vector<float>(sum[d..]) + new Vector<float>(row[d..])).CopyTo(sum[d..]);
                for (; d < ModelDimension; d++) sum[d] += row[d];
            }
            var norm = 0f;
            for (var d = 0; d < ModelDimension; d++)
            {
                sum[d] /= Math.Max(tokens, 1);
                norm += sum[d] * sum[d];
            }
            // sentence-transformers' Normalize layer divides by max(norm, 1e-12).
            var scale = 1f / MathF.Max(MathF.Sqrt(norm), 1e-12f);
            for (var d = 0; d < ModelDimension; d++) sum[d] *= scale;
        }
    }

    private static string[] CheckInputs(InferenceSession session)
    {
        var names = new List<string>();
        foreach (var (name, meta) in session.InputMetadata)
        {
            if (name is not (InputIdsName or AttentionMaskName or TokenTypeIdsName))
                throw new InvalidDataException($"The text model has an unexpected input '{name}'; expected {InputIdsName}, {AttentionMaskName} and {TokenTypeIdsName}.");
            if (meta.ElementDataType != TensorElementType.Int64)
                throw new InvalidDataException($"The text model's input '{name}' is {meta.ElementDataType}; this encoder feeds int64.");
            names.Add(name);
        }
        if (!names.Contains(InputIdsName) || !names.Contains(AttentionMaskName))
            throw new InvalidDataException($"The text model lacks {InputIdsName} or {AttentionMaskName}.");
        return [.. names];
    }

    private static string FindHiddenState(InferenceSession session)
    {
        if (session.OutputMetadata.ContainsKey(HiddenStateName)) return HiddenStateName;
        // Some exports name the token output differently; it is the one of rank 3 ending in 384.
        foreach (var (name, meta) in session.OutputMetadata)
            if (meta.Dimensions.Length == 3 && meta.Dimensions[2] == ModelDimension) return name;
        throw new InvalidDataException($"The text model has no [batch, tokens, {ModelDimension}] output.");
    }
}
