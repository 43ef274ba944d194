using Urm.Core.Models.Package;

namespace Urm.Core.Models.Runtime;

/// <summary>What the user model reads for one user.</summary>
/// <param name="Prompt">Prompt piece embeddings, row-major [P, textDim] (one row per piece, e.g. task then category).</param>
/// <param name="History">Oldest -> newest; only the most recent <see cref="ModelSizes.L"/> are used. May be empty.</param>
public sealed record UserSequence(float[] Prompt, IReadOnlyList<HistoryEntry> History);
