using Urm.Core.Models.Runtime;

namespace Urm.Core.Models.Package;

/// <summary>
/// The manifest's optional <c>search.queryMap</c> object: the served text term compares the items' text with
/// the typed query mapped by a linear map the trainer learnt on the training queries, q' = normalize(q A)
/// (<see cref="SearchQueryMap"/>). The frozen encoder embeds a short query and an item's description in
/// different places; the map moves the query towards the texts of the items shoppers took for it.
/// Absent: the query as typed. The trainer's other keys (its validation figures) are not read.
/// </summary>
/// <param name="File">The map's file name in the package directory (query_map.bin).</param>
/// <param name="Sha256">Hex SHA-256 of the file; a file whose bytes differ is refused. Optional, as for the graphs.</param>
public sealed record SearchQueryMapSection(string File, string? Sha256 = null);
