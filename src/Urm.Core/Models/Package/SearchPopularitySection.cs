using Urm.Core.Models.Runtime;

namespace Urm.Core.Models.Package;

/// <summary>
/// The manifest's optional <c>search.popularity</c> object: the served search score adds a popularity
/// prior, Weight · ln(1 + n_i), n_i the item's count of events in the training part (<see cref="PopularityPrior"/>).
/// Without a history the model's score of the query alone breaks the text cosine's near-ties worse than
/// popularity does, so the trainer weighs the prior apart for that case. Absent: nothing is added.
/// </summary>
/// <param name="File">The counts' file name in the package directory (popularity.bin).</param>
/// <param name="Weight">Weight of ln(1 + n_i) for a search with a known history; finite, 0 or above.</param>
/// <param name="WeightWithoutHistory">The weight for a search with no known history item; finite, 0 or above.</param>
/// <param name="Sha256">Hex SHA-256 of the file; a file whose bytes differ is refused. Optional, as for the graphs.</param>
public sealed record SearchPopularitySection(string File, double Weight, double WeightWithoutHistory, string? Sha256 = null)
{
    /// <summary>The weight a search uses: <see cref="Weight"/> when the model reads some history, else <see cref="WeightWithoutHistory"/>.</summary>
    public double WeightFor(bool hasHistory) => hasHistory ? Weight : WeightWithoutHistory;
}
