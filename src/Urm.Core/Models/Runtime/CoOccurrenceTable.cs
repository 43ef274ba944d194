using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Urm.Core.Models.Package;
using Urm.Core.Retrieval;

namespace Urm.Core.Models.Runtime;

/// <summary>
/// The trainer's item-to-item co-occurrence table (cooccurrence.bin, the manifest's <c>cooccurrence</c>
/// section): for each item with an ID embedding, the items that occurred within <c>window</c> positions
/// of it in a training sequence (either direction) and how often, at most <c>perItem</c> of them. The
/// served score of the tasks the section lists adds a boost from it (see <see cref="Boosts"/>), which
/// lifts items shoppers take together with the newest history items even where the cards disagree.
/// </summary>
/// <remarks>
/// File layout, little-endian: "URMC", int32 version 1, int32 rows (= sizes.idCount + 1; row r is the
/// item whose idTable value is r, row 0 empty), int32 pairs; int32[rows + 1] offsets (row r's entries
/// are [offsets[r], offsets[r + 1])); int32[pairs] neighbour (idTable value); float32[pairs] count.
/// Compressed sparse rows as written, so a request reads at most <c>recent</c> contiguous slices.
/// </remarks>
public sealed class CoOccurrenceTable
{
    public const int FormatVersion = 1;
    private const int HeaderBytes = 16;
    private static readonly byte[] Magic = "URMC"u8.ToArray();
    private const string Remedy = "Upload the cooccurrence.bin the trainer exported together with this manifest.json (python -m urm_train export --checkpoint DIR/checkpoint.pt --out DIR writes both)";

    private readonly IReadOnlyDictionary<string, int> _rowOf;
    private readonly int[] _offsets;
    private readonly int[] _neighbours;
    private readonly float[] _counts;
    // idTable value -> item id, built once: the neighbours are stored as idTable values.
    private readonly string[] _itemOf;

    private CoOccurrenceTable(CoOccurrenceSection section, IReadOnlyDictionary<string, int> rowOf, int[] offsets, int[] neighbours, float[] counts, string[] itemOf)
    {
        Section = section;
        _rowOf = rowOf;
        _offsets = offsets;
        _neighbours = neighbours;
        _counts = counts;
        _itemOf = itemOf;
    }

    /// <summary>The manifest's section: weight, recent, tasks.</summary>
    public CoOccurrenceSection Section { get; }

    /// <summary>Newest history items the boost reads.</summary>
    public int Recent => Section.Recent;

    /// <summary>Entries in the table.</summary>
    public int Pairs => _neighbours.Length;

    /// <summary>Whether the served score of <paramref name="task"/> adds the boost.</summary>
    public bool AppliesTo(string task) => Section.Tasks.Contains(task, StringComparer.Ordinal);

    /// <summary>
    /// Reads and checks the file the manifest's <c>cooccurrence</c> section names.
    /// </summary>
    /// <param name="path">The file (the section's file in the package directory).</param>
    /// <param name="manifest">A manifest with a <c>cooccurrence</c> section, already checked by the manifest reader.</param>
    /// <exception cref="ModelPackageException">The file is missing, differs from the manifest's SHA-256 or breaks the format, named in the message.</exception>
    public static CoOccurrenceTable Load(string path, ModelManifest manifest)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(manifest);
        var section = manifest.CoOccurrence ?? throw new ArgumentException("The manifest has no cooccurrence section.", nameof(manifest));
        var bytes = PackageSideFile.Read(path, section.Sha256, "cooccurrence.sha256", Remedy, HeaderBytes, Magic, "a co-occurrence table", FormatVersion);
        int rows = Int32(bytes, 8), pairs = Int32(bytes, 12), idCount = manifest.Sizes.IdCount;
        if (rows != idCount + 1)
            throw Refuse(path, $"it has {rows} rows, but manifest.json has sizes.idCount = {idCount}, so it must have {idCount + 1} (row 0 is padding)");
        if (pairs < 0) throw Refuse(path, $"its header says {pairs} pairs");
        if (pairs != section.Pairs)
            throw Refuse(path, $"it holds {pairs} pairs, but manifest.json (cooccurrence.pairs) says {section.Pairs}");
        var length = HeaderBytes + 4L * (rows + 1) + 8L * pairs;
        if (bytes.Length != length)
            throw Refuse(path, $"it is {bytes.Length} bytes long, but {rows} rows and {pairs} pairs take {length}");

        var offsets = new int[rows + 1];
        var at = HeaderBytes;
        for (var r = 0; r <= rows; r++, at += 4) offsets[r] = Int32(bytes, at);
        if (offsets[0] != 0) throw Refuse(path, $"offsets[0] is {offsets[0]}, not 0");
        if (offsets[rows] != pairs) throw Refuse(path, $"offsets[{rows}] is {offsets[rows]}, not the {pairs} pairs");
        if (offsets[1] != 0) throw Refuse(path, $"row 0 (padding, no item) has entries from offsets[1] = {offsets[1]}; it must have none");
        for (var r = 0; r < rows; r++)
            if (offsets[r + 1] < offsets[r])
                throw Refuse(path, $"offsets are out of order: offsets[{r + 1}] = {offsets[r + 1]} is below offsets[{r}] = {offsets[r]}");

        var neighbours = new int[pairs];
        for (var e = 0; e < pairs; e++, at += 4) neighbours[e] = Int32(bytes, at);
        var counts = new float[pairs];
        for (var e = 0; e < pairs; e++, at += 4) counts[e] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at, 4));
        for (var r = 1; r < rows; r++)
        {
            for (var e = offsets[r]; e < offsets[r + 1]; e++)
            {
                var n = neighbours[e];
                if (n < 1 || n > idCount) throw Refuse(path, $"row {r} lists neighbour {n}, outside 1..sizes.idCount ({idCount})");
                if (n == r) throw Refuse(path, $"row {r} lists itself as its neighbour");
                if (!float.IsFinite(counts[e]) || counts[e] <= 0) throw Refuse(path, $"row {r} gives neighbour {n} the count {counts[e]}; counts must be finite and above 0");
            }
        }

        var itemOf = new string[rows];
        foreach (var (id, index) in manifest.IdTable)
        {
            if (itemOf[index] is { } other)
                throw new ModelPackageException(path, $"manifest.json's idTable maps both '{other}' and '{id}' to {index}, so row {index} has no one item", Remedy);
            itemOf[index] = id;
        }
        return new CoOccurrenceTable(section, manifest.IdTable, offsets, neighbours, counts, itemOf);
    }

    /// <summary>
    /// The items the history lifts, each with its boost (above 0; items not listed get 0):
    /// boost(i) = (float)(weight · ln(1 + S(i))), S(i) = Σ_{r = 0}^{recent-1} C[h_r][i] / (r + 1) summed in
    /// double in order r = 0, 1, ..., with h_0 the newest history item and C[h][i] the count of neighbour i
    /// in h's row. A history item without an idTable entry adds nothing but still takes its position r;
    /// an item twice among the newest counts twice.
    /// </summary>
    /// <param name="history">Item ids, oldest -> newest; only the newest <see cref="Recent"/> are read.</param>
    public IReadOnlyDictionary<string, float> Boosts(IReadOnlyList<string> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var sums = new Dictionary<int, double>();
        for (var r = 0; r < Recent && r < history.Count; r++)
        {
            if (!_rowOf.TryGetValue(history[history.Count - 1 - r], out var row)) continue;
            for (var e = _offsets[row]; e < _offsets[row + 1]; e++)
            {
                ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(sums, _neighbours[e], out _);
                sum += _counts[e] / (double)(r + 1);
            }
        }
        var boosts = new Dictionary<string, float>(sums.Count, StringComparer.Ordinal);
        foreach (var (neighbour, sum) in sums)
            if (Boost(sum) is var boost and > 0) boosts[_itemOf[neighbour]] = boost;
        return boosts;
    }

    /// <summary>
    /// <see cref="Boosts"/> by card-matrix row: the history as rows of <paramref name="cards"/>, oldest -> newest;
    /// boosted items that <paramref name="cards"/> does not hold are left out. A card with a lender (an
    /// item new since training, <see cref="CardMatrix.LenderOf"/>) is its lender here, as it is in its
    /// card: in the history it lifts what its lender lifts, and it gets its lender's boost. Without that a
    /// new item, which has no events, would never be lifted and would fall below every lifted item.
    /// </summary>
    public Dictionary<int, float> BoostRows(CardMatrix cards, IReadOnlyList<int> history)
    {
        ArgumentNullException.ThrowIfNull(cards);
        ArgumentNullException.ThrowIfNull(history);
        var recent = new string[Math.Min(Recent, history.Count)];
        for (var j = 0; j < recent.Length; j++)
        {
            var row = history[history.Count - recent.Length + j];
            recent[j] = cards.LenderOf(row) ?? cards.Ids[row];
        }
        var rows = new Dictionary<int, float>();
        foreach (var (id, boost) in Boosts(recent))
        {
            if (cards.TryGetRow(id, out var row)) rows[row] = boost;
            foreach (var lent in cards.RowsLentBy(id)) rows[lent] = boost;
        }
        return rows;
    }

    private float Boost(double sum) => (float)(Section.Weight * Math.Log(1.0 + sum));

    private static int Int32(byte[] bytes, int at) => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at, 4));

    private static ModelPackageException Refuse(string path, string problem) => new(path, problem, Remedy);
}
