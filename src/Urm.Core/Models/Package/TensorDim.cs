namespace Urm.Core.Models.Package;

/// <summary>One dimension the serving code feeds or reads: fixed (from a manifest size) or dynamic.</summary>
/// <param name="Size">The fixed size; null when the code feeds varying sizes (batch, history length...).</param>
/// <param name="Name">The manifest size behind a fixed dim (e.g. "sizes.dCard"), or the dynamic dim's name.</param>
internal readonly record struct TensorDim(int? Size, string Name)
{
    public static TensorDim Dynamic(string name) => new(null, name);

    public static TensorDim Fixed(int size, string sizeName) => new(size, sizeName);

    public override string ToString() => Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Name;
}
