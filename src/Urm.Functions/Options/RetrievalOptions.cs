namespace Urm.Functions.Options;

/// <summary>Settings <c>Retrieval__*</c>: how one request's scan of the cards runs.</summary>
public sealed class RetrievalOptions
{
    public const string Section = "Retrieval";

    /// <summary>
    /// Threads one request's scan is split across (1: the request's own thread). The host already runs
    /// requests side by side, one per core, so more helps only where single requests are too slow: large
    /// catalogs (a part gets at least 131,072 cards, so catalogs below 262,144 scan on one thread anyway).
    /// </summary>
    public int ScanThreads { get; set; } = 1;
}
