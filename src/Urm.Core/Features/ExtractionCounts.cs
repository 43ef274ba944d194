namespace Urm.Core.Features;

/// <summary>What an extractor has done since it was created.</summary>
/// <param name="Items">Rows yielded.</param>
/// <param name="CacheHits">Rows whose features came from the cache (no encoder ran for them).</param>
/// <param name="TextsEncoded">Texts run through the text encoder.</param>
/// <param name="ImagesEncoded">Images that gave a vector.</param>
/// <param name="ImageProblems">Image references that gave none.</param>
public sealed record ExtractionCounts(int Items, int CacheHits, int TextsEncoded, int ImagesEncoded, int ImageProblems);
