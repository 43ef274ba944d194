namespace Urm.Core.Features.Text;

/// <summary>
/// Texts turned into the model's three int64 inputs, row-major [Count, Length], padded to the
/// longest text of the batch.
/// </summary>
public sealed record TokenizedBatch(int Count, int Length, long[] InputIds, long[] AttentionMask, long[] TokenTypeIds);
