namespace Urm.Core.Cards;

/// <summary>
/// Which cards can be scored together: those fused by one model version, all of its card dimension.
/// A user vector of one model means nothing against a card of another.
/// </summary>
public sealed record CardSpace(string ModelVersion, int Dimension);
