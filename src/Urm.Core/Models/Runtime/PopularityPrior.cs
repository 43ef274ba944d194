using System.Buffers.Binary;
using Urm.Core.Models.Package;
using Urm.Core.Retrieval;

namespace Urm.Core.Models.Runtime;

/// <summary>
/// The trainer's item popularity (popularity.bin, the manifest's <c>search.popularity</c>): for each item
/// with an ID embedding, how many events of the training part name it. The served search score adds
/// β · ln(1 + n_i) (<see cref="SearchPopularitySection"/>), folded into the scan as one more card column
/// (<see cref="SearchTextTerm"/>).
/// </summary>
/// <remarks>
/// File layout, little-endian: "URMP", int32 version 1, int32 rows (= sizes.idCount + 1; row r is the
/// item whose idTable value is r, row 0 "no ID" and 0), float32[rows] counts, each finite and 0 or above.
/// </remarks>
public sealed class PopularityPrior
{
    public const int FormatVersion = 1;
    private const int HeaderBytes = 12;
    private static readonly byte[] Magic = "URMP"u8.ToArray();
    private const string Remedy = "Upload the popularity.bin the trainer exported together with this manifest.json (python -m urm_train export --checkpoint DIR/checkpoint.pt --out DIR writes both)";

    private readonly IReadOnlyDictionary<string, int> _rowOf;
    private readonly float[] _counts;

    /// <summary>The largest value of the column (<see cref="Column"/>): about the largest value of a unit card's.</summary>
    public const float ColumnMax = 0.25f;

    private PopularityPrior(SearchPopularitySection section, IReadOnlyDictionary<string, int> rowOf, float[] counts)
    {
        Section = section;
        _rowOf = rowOf;
        _counts = counts;
        var largest = counts.Length == 0 ? 0 : Math.Log(1.0 + counts.Max());
        ColumnScale = largest > 0 ? (float)(largest / ColumnMax) : 1f;
    }

    /// <summary>
    /// ln(1 + n) is divided by this in the search matrix's column and the weight multiplied by it on the user
    /// vector (<see cref="UserWeight"/>), so the product is β · ln(1 + n) while the column stays within
    /// [0, <see cref="ColumnMax"/>]: the compressed scan sets each card's int8 scale by its largest value, and
    /// ln(1 + n) (up to 6-9) would take the resolution of every other value of the row.
    /// </summary>
    public float ColumnScale { get; }

    /// <summary>The manifest's <c>search.popularity</c>: file and weights.</summary>
    public SearchPopularitySection Section { get; }

    /// <summary>
    /// Reads and checks the file the manifest's <c>search.popularity</c> names.
    /// </summary>
    /// <param name="path">The file (the section's file in the package directory).</param>
    /// <param name="manifest">A manifest with <c>search.popularity</c>, already checked by the manifest reader.</param>
    /// <exception cref="ModelPackageException">The file is missing, differs from the manifest's SHA-256 or breaks the format, named in the message.</exception>
    public static PopularityPrior Load(string path, ModelManifest manifest)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(manifest);
        var section = manifest.Search?.Popularity ?? throw new ArgumentException("The manifest has no search.popularity section.", nameof(manifest));
        var bytes = PackageSideFile.Read(path, section.Sha256, "search.popularity.sha256", Remedy, HeaderBytes, Magic, "a popularity file", FormatVersion);
        int rows = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8, 4)), idCount = manifest.Sizes.IdCount;
        if (rows != idCount + 1)
            throw Refuse(path, $"it has {rows} rows, but manifest.json has sizes.idCount = {idCount}, so it must have {idCount + 1} (row 0 is \"no ID\")");
        var length = HeaderBytes + 4L * rows;
        if (bytes.Length != length)
            throw Refuse(path, $"it is {bytes.Length} bytes long, but {rows} rows take {length}");

        var counts = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            counts[r] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(HeaderBytes + 4 * r, 4));
            if (!float.IsFinite(counts[r]) || counts[r] < 0)
                throw Refuse(path, $"row {r} has the count {counts[r]}; counts must be finite and 0 or above");
        }
        if (counts[0] != 0) throw Refuse(path, $"row 0 (no ID, no item) has the count {counts[0]}; it must be 0");
        return new PopularityPrior(section, manifest.IdTable, counts);
    }

    /// <summary>
    /// The item's training event count n_i, by its own idTable row; 0 for an item the idTable lacks. A new
    /// item whose card borrows a lender's ID embedding still gets 0: it has no sales of its own yet.
    /// </summary>
    public float CountOf(string itemId) => _rowOf.TryGetValue(itemId, out var row) ? _counts[row] : 0f;

    /// <summary>
    /// ln(1 + n_i) / <see cref="ColumnScale"/> for each card row of <paramref name="cards"/> (<see cref="CountOf"/>;
    /// lenders ignored): the search matrix's prior column.
    /// </summary>
    public float[] Column(CardMatrix cards)
    {
        ArgumentNullException.ThrowIfNull(cards);
        var column = new float[cards.Count];
        for (var row = 0; row < column.Length; row++) column[row] = (float)(Math.Log(1.0 + CountOf(cards.Ids[row])) / ColumnScale);
        return column;
    }

    /// <summary>The value a user vector carries against <see cref="Column"/> for the prior weight β: β · <see cref="ColumnScale"/>.</summary>
    public float UserWeight(double beta) => (float)(beta * ColumnScale);

    private static ModelPackageException Refuse(string path, string problem) => new(path, problem, Remedy);
}
