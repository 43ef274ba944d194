using Urm.Core.Features;
using Urm.Core.Features.Images;

namespace Urm.Core.Cards;

/// <summary>What encoding one chunk of changed items did.</summary>
public sealed record ChunkEncoding(int Fused, IReadOnlyList<ItemImageProblem> ImageProblems, ExtractionCounts Extraction, string ModelVersion);
