using Urm.Core.Models.Runtime;

namespace Urm.Core.Models.Package;

/// <summary>
/// The manifest's optional <c>cooccurrence</c> section: the trainer's item-to-item co-occurrence table
/// (<see cref="CoOccurrenceTable"/>) and how the served score adds it for the listed tasks:
/// score(i) = max_m &lt;u_m, c_i&gt; + Weight · ln(1 + Σ_{r &lt; Recent} C[h_r][i] / (r + 1)), h_0 the newest history item.
/// Absent from manifests written before the trainer exported it: then nothing is added.
/// </summary>
/// <param name="File">The table's file name in the package directory (cooccurrence.bin).</param>
/// <param name="Weight">Weight of the logarithm of the co-occurrence sum; 0 adds nothing.</param>
/// <param name="Recent">Newest history items the sum reads (1..50).</param>
/// <param name="Window">Positions apart that counted as co-occurring in a training sequence (for reports; serving does not need it).</param>
/// <param name="PerItem">Most neighbours the trainer kept per item (for reports).</param>
/// <param name="Pairs">Entries in the file, as its header must say.</param>
/// <param name="Tasks">The tasks whose served score adds the term; a subset of the manifest's tasks.</param>
/// <param name="Sha256">Hex SHA-256 of the file; a file whose bytes differ is refused. Optional, as for the graphs.</param>
public sealed record CoOccurrenceSection(
    string File,
    double Weight,
    int Recent,
    int Window,
    int PerItem,
    int Pairs,
    IReadOnlyList<string> Tasks,
    string? Sha256 = null)
{
    /// <summary>Most history items the sum may read: bounds the rows one request touches.</summary>
    public const int MaxRecent = 50;
}
