using System.Buffers.Binary;
using System.Numerics.Tensors;
using Urm.Core.Models.Package;

namespace Urm.Core.Models.Runtime;

/// <summary>
/// The trainer's learnt query map (query_map.bin, the manifest's <c>search.queryMap</c>): the served search
/// text term compares each item's text with normalize(q A), q the query as typed, instead of q itself
/// (<see cref="SearchQueryMapSection"/>).
/// </summary>
/// <remarks>
/// File layout, little-endian: "URMQ", int32 version 1, int32 rows, int32 cols (both = sizes.textDim),
/// float32[rows · cols] A row-major (A[r, c] at r · cols + c), each finite.
/// </remarks>
public sealed class SearchQueryMap
{
    public const int FormatVersion = 1;
    private const int HeaderBytes = 16;
    private static readonly byte[] Magic = "URMQ"u8.ToArray();
    private const string Remedy = "Upload the query_map.bin the trainer exported together with this manifest.json (python -m urm_train export --checkpoint DIR/checkpoint.pt --out DIR writes both)";

    private readonly float[] _matrix;   // (Dimension, Dimension) row-major

    private SearchQueryMap(SearchQueryMapSection section, int dimension, float[] matrix)
    {
        Section = section;
        Dimension = dimension;
        _matrix = matrix;
    }

    /// <summary>The manifest's <c>search.queryMap</c>.</summary>
    public SearchQueryMapSection Section { get; }

    /// <summary>The text dimension: the typed query's length and the mapped one's.</summary>
    public int Dimension { get; }

    /// <summary>Reads and checks the file the manifest's <c>search.queryMap</c> names.</summary>
    /// <param name="path">The file (the section's file in the package directory).</param>
    /// <param name="manifest">A manifest with <c>search.queryMap</c>, already checked by the manifest reader.</param>
    /// <exception cref="ModelPackageException">The file is missing, differs from the manifest's SHA-256 or breaks the format, named in the message.</exception>
    public static SearchQueryMap Load(string path, ModelManifest manifest)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(manifest);
        var section = manifest.Search?.QueryMap ?? throw new ArgumentException("The manifest has no search.queryMap section.", nameof(manifest));
        var bytes = PackageSideFile.Read(path, section.Sha256, "search.queryMap.sha256", Remedy, HeaderBytes, Magic, "a query map", FormatVersion);
        int rows = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8, 4)), cols = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12, 4));
        var textDim = manifest.Sizes.TextDim;
        if (rows != textDim || cols != textDim)
            throw Refuse(path, $"it is {rows} x {cols}, but manifest.json has sizes.textDim = {textDim}, so it must be {textDim} x {textDim}");
        var length = HeaderBytes + 4L * rows * cols;
        if (bytes.Length != length)
            throw Refuse(path, $"it is {bytes.Length} bytes long, but {rows} x {cols} values take {length}");

        var matrix = new float[rows * cols];
        for (var i = 0; i < matrix.Length; i++)
        {
            matrix[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(HeaderBytes + 4 * i, 4));
            if (!float.IsFinite(matrix[i]))
                throw Refuse(path, $"A[{i / cols}, {i % cols}] is {matrix[i]}; the map's values must be finite");
        }
        return new SearchQueryMap(section, textDim, matrix);
    }

    /// <summary>
    /// normalize(q A): m_c = Σ_r q_r · A[r, c], divided by its L2 norm; the zero vector when that norm is 0 or
    /// not finite (a query the map sends nowhere adds no text term rather than NaN scores). A fresh array.
    /// </summary>
    public float[] Apply(ReadOnlySpan<float> typed)
    {
        if (typed.Length != Dimension)
            throw new ArgumentException($"The query has {typed.Length} values; the map takes sizes.textDim = {Dimension}.", nameof(typed));
        // Row by row (an axpy per query value), so each pass runs along contiguous memory in SIMD: a search
        // request pays this once, 384 x 384 multiply-adds.
        var mapped = new float[Dimension];
        for (var r = 0; r < Dimension; r++)
        {
            var q = typed[r];
            if (q != 0) TensorPrimitives.MultiplyAdd(_matrix.AsSpan(r * Dimension, Dimension), q, mapped, mapped);
        }
        var norm = TensorPrimitives.Norm<float>(mapped);
        if (norm == 0 || !float.IsFinite(norm)) return new float[Dimension];
        TensorPrimitives.Divide(mapped, norm, mapped);
        return mapped;
    }

    private static ModelPackageException Refuse(string path, string problem) => new(path, problem, Remedy);
}
