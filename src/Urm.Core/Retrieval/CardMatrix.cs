namespace Urm.Core.Retrieval;

/// <summary>
/// All item cards as one row-major matrix [Count, Dimension], with the item id of each row: the shape
/// an exact scan wants (contiguous memory, no per-item objects). Not to be changed once built: the scan
/// reads a blocked copy (<see cref="Blocks"/>) and a compact int8 copy (<see cref="Quantized"/>) made here,
/// and an fp16 copy (<see cref="Half"/>) made on first use.
/// </summary>
public sealed class CardMatrix
{
    private readonly Dictionary<string, int> _rowOf;
    private readonly IReadOnlyList<string?>? _lenders;
    // lender id -> the rows it lends to (items new since training); few, often none.
    private readonly Dictionary<string, List<int>> _lentTo = new(StringComparer.Ordinal);
    private readonly Lazy<HalfCards?> _half;

    /// <param name="lenders">Row by row, the card's lender (<see cref="Models.Runtime.FusedCards"/>), null for none; null when no card has one.</param>
    public CardMatrix(IReadOnlyList<string> ids, float[] vectors, int dimension, IReadOnlyList<string?>? lenders = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (vectors.Length != ids.Count * dimension)
            throw new ArgumentException($"{ids.Count} cards of {dimension} values need {ids.Count * dimension} floats, not {vectors.Length}.", nameof(vectors));
        if (lenders is not null && lenders.Count != ids.Count)
            throw new ArgumentException($"{ids.Count} cards need {ids.Count} lenders (null for none), not {lenders.Count}.", nameof(lenders));
        Ids = ids;
        Vectors = vectors;
        Dimension = dimension;
        _rowOf = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
            if (!_rowOf.TryAdd(ids[i], i)) throw new ArgumentException($"Card id '{ids[i]}' appears twice.", nameof(ids));
        _lenders = lenders;
        for (var i = 0; lenders is not null && i < ids.Count; i++)
        {
            if (lenders[i] is not { } lender) continue;
            if (!_lentTo.TryGetValue(lender, out var rows)) _lentTo[lender] = rows = [];
            rows.Add(i);
        }
        // Built here, once per matrix (so once per snapshot), off every request's path.
        Blocks = new CardBlocks(vectors, ids.Count, dimension);
        Quantized = QuantizedCards.TryCreate(vectors, ids.Count, dimension);
        // Not built here: serving reads the int8 copy, and the fp16 one would cost every snapshot 2d + 8
        // bytes a card for nothing. Built once, by the first caller (others wait), when a scan asks for it.
        _half = new Lazy<HalfCards?>(() => HalfCards.TryCreate(vectors, ids.Count, dimension), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public IReadOnlyList<string> Ids { get; }
    public float[] Vectors { get; }
    public int Dimension { get; }
    public int Count => Ids.Count;

    /// <summary>The same cards blocked and transposed for <see cref="SetRetriever"/>'s scan.</summary>
    internal CardBlocks Blocks { get; }

    /// <summary>
    /// The same cards as int8 with a per-card scale and error bound, the first pass of
    /// <see cref="SetRetriever.TopK"/> (d + 8 bytes per card); null when a card value is not finite.
    /// </summary>
    internal QuantizedCards? Quantized { get; }

    /// <summary>
    /// The same cards as fp16 with a per-card power-of-two scale and error bound, the other first pass
    /// <see cref="SetRetriever.CompressedTopK(CardMatrix, ReadOnlySpan{float}, int, Func{int, bool}?, int, CompactCards)"/>
    /// can take (2d + 8 bytes per card); built on first use; null when a card value is not finite.
    /// </summary>
    internal HalfCards? Half => _half.Value;

    /// <summary>Bytes per card of the compact copy the scan reads first; 0 when there is none.</summary>
    public int CompactBytesPerCard => Quantized?.BytesPerCard ?? 0;

    /// <summary>Bytes per card of the fp16 compact copy (building it if not built yet); 0 when there is none.</summary>
    public int HalfBytesPerCard => Half?.BytesPerCard ?? 0;

    public ReadOnlySpan<float> Row(int row) => Vectors.AsSpan(row * Dimension, Dimension);

    public bool TryGetRow(string id, out int row) => _rowOf.TryGetValue(id, out row);

    /// <summary>The lender of row <paramref name="row"/>'s card; null for none.</summary>
    public string? LenderOf(int row) => _lenders?[row];

    /// <summary>The rows whose cards have item <paramref name="id"/> as lender.</summary>
    public IReadOnlyList<int> RowsLentBy(string id) => _lentTo.TryGetValue(id, out var rows) ? rows : [];
}
