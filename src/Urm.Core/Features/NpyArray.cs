namespace Urm.Core.Features;

/// <summary>The values of a .npy file (C order) and its shape.</summary>
internal sealed record NpyArray<T>(T[] Values, int[] Shape) where T : unmanaged;
