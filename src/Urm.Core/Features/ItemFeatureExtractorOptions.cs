namespace Urm.Core.Features;

/// <param name="BatchSize">
/// Rows looked up and encoded together. 64 keeps the text model's batch large enough to be
/// efficient while the padding to the longest text in it stays modest.
/// </param>
public sealed record ItemFeatureExtractorOptions(int BatchSize = 64)
{
    public static ItemFeatureExtractorOptions Default { get; } = new();
}
