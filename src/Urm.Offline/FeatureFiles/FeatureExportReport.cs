using Urm.Core.Catalog;
using Urm.Core.Features;
using Urm.Core.Features.Images;

namespace Urm.Offline.FeatureFiles;

/// <summary>What a features run did: rows read and rejected (with reasons), image problems, encoder work.</summary>
public sealed record FeatureExportReport(
    string Catalog,
    long RowsRead,
    long Accepted,
    long Rejected,
    IReadOnlyList<RowError> Errors,
    IReadOnlyList<ItemImageProblem> ImageProblems,
    ExtractionCounts Counts,
    double ElapsedSeconds);
