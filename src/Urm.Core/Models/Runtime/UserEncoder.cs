using Microsoft.ML.OnnxRuntime;
using Urm.Core.Events;
using Urm.Core.Models.Package;

namespace Urm.Core.Models.Runtime;

/// <summary>
/// Prompt pieces + history cards -> M user vectors (L2-normalised, row-major [M, DCard]) through the
/// package's user.onnx. Users are encoded in batches, each padded to its longest prompt and history.
/// </summary>
public sealed class UserEncoder
{
    private static readonly string[] Outputs = [GraphContracts.UserVectors];

    private readonly ModelPackage _package;
    private readonly ModelSizes _sizes;
    private readonly int _batchSize;
    private readonly long[] _eventIds;

    /// <param name="batchSize">Users per user.onnx run.</param>
    public UserEncoder(ModelPackage package, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _package = package;
        _sizes = package.Sizes;
        _batchSize = batchSize;
        var types = package.Manifest.EventTypes;
        // An event type the model was not trained with falls back to the manifest's default: "view"
        // when it has one (the weakest signal, so an unknown event claims no more intent than a view),
        // else the lowest non-padding id. Never padding (0): that would hide the item from attention.
        var fallback = types.TryGetValue("view", out var view) && view > 0 ? view : types.Where(t => t.Value > 0).Min(t => t.Value);
        _eventIds = Enum.GetValues<EventType>()
            .Select(e => (long)(types.TryGetValue(e.ToString().ToLowerInvariant(), out var id) && id > 0 ? id : fallback))
            .ToArray();
    }

    /// <summary>Values per user: M vectors of DCard.</summary>
    public int OutputLength => _sizes.M * _sizes.DCard;

    /// <summary>The manifest's id for an event type (after the fallback above).</summary>
    public long EventId(EventType type) => _eventIds[(int)type];

    /// <summary>M user vectors of one user, row-major [M, DCard].</summary>
    public float[] Encode(UserSequence user, CancellationToken cancellationToken = default)
        => EncodeBatch([user], cancellationToken)[0];

    /// <summary>M user vectors per user, in the order given.</summary>
    /// <exception cref="ArgumentException">A prompt or card does not fit the model's sizes.</exception>
    public IReadOnlyList<float[]> EncodeBatch(IReadOnlyList<UserSequence> users, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(users);
        foreach (var user in users) Check(user);
        var result = new float[users.Count][];
        for (var start = 0; start < users.Count; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            EncodeChunk(users, start, Math.Min(_batchSize, users.Count - start), result);
        }
        return result;
    }

    private void EncodeChunk(IReadOnlyList<UserSequence> users, int start, int b, float[][] result)
    {
        int textDim = _sizes.TextDim, dCard = _sizes.DCard;
        var pieces = 0;
        var longest = 0;
        for (var u = 0; u < b; u++)
        {
            pieces = Math.Max(pieces, users[start + u].Prompt.Length / textDim);
            longest = Math.Max(longest, Math.Min(users[start + u].History.Count, _sizes.L));
        }
        // The exported graph builds the [UM] tokens by broadcasting against the history's length, so
        // a zero-length history axis fails whenever M > 1. One masked padding slot gives the same
        // result as no history (attention never reads it), so a batch has at least one history slot;
        // likewise at least one (masked) prompt slot.
        pieces = Math.Max(pieces, 1);
        var l = Math.Max(longest, 1);

        var prompt = new float[b * pieces * textDim];
        var promptMask = new float[b * pieces];
        var cards = new float[b * l * dCard];
        var events = new long[b * l];
        var historyMask = new float[b * l];
        for (var u = 0; u < b; u++)
        {
            var user = users[start + u];
            var p = user.Prompt.Length / textDim;
            user.Prompt.CopyTo(prompt, u * pieces * textDim);
            promptMask.AsSpan(u * pieces, p).Fill(1f);
            // Keep the most recent L items; pad on the left so the newest item sits last, as in the
            // parity fixtures (the graph positions by recency, so either side gives the same result).
            var kept = Math.Min(user.History.Count, _sizes.L);
            var skip = user.History.Count - kept;
            for (var j = 0; j < kept; j++)
            {
                var entry = user.History[skip + j];
                var slot = u * l + (l - kept) + j;
                entry.Card.CopyTo(cards, slot * dCard);
                events[slot] = EventId(entry.Event);
                historyMask[slot] = 1f;
            }
        }

        using var promptValue = OrtValue.CreateTensorValueFromMemory(prompt, [b, pieces, textDim]);
        using var promptMaskValue = OrtValue.CreateTensorValueFromMemory(promptMask, [b, pieces]);
        using var cardsValue = OrtValue.CreateTensorValueFromMemory(cards, [b, l, dCard]);
        using var eventsValue = OrtValue.CreateTensorValueFromMemory(events, [b, l]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(historyMask, [b, l]);
        var inputs = new Dictionary<string, OrtValue>(StringComparer.Ordinal)
        {
            [GraphContracts.Prompt] = promptValue,
            [GraphContracts.PromptMask] = promptMaskValue,
            [GraphContracts.HistoryCards] = cardsValue,
            [GraphContracts.HistoryEvents] = eventsValue,
            [GraphContracts.HistoryMask] = maskValue,
        };
        using var runOptions = new RunOptions();
        using var results = _package.User.Run(runOptions, inputs, Outputs);
        var vectors = results[0].GetTensorDataAsSpan<float>();
        var per = OutputLength;
        for (var u = 0; u < b; u++) result[start + u] = vectors.Slice(u * per, per).ToArray();
    }

    private void Check(UserSequence user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Prompt.Length % _sizes.TextDim != 0)
            throw new ArgumentException($"A prompt has {user.Prompt.Length} values, not a whole number of sizes.textDim = {_sizes.TextDim} rows (model {_package.Version}).", nameof(user));
        foreach (var entry in user.History)
            if (entry.Card.Length != _sizes.DCard)
                throw new ArgumentException($"A history card has {entry.Card.Length} values; model {_package.Version} takes sizes.dCard = {_sizes.DCard}. Cards must be fused by the same model.", nameof(user));
    }
}
