namespace Urm.Offline.FeatureFiles;

/// <summary>The values of a .npy file (C order) and its shape.</summary>
public sealed record NpyArray<T>(T[] Values, int[] Shape) where T : unmanaged;
