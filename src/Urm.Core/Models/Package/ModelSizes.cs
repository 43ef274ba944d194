namespace Urm.Core.Models.Package;

/// <summary>The manifest's <c>sizes</c>: the only source of tensor sizes on the serving side.</summary>
/// <param name="DCard">Card and user vector size.</param>
/// <param name="M">User vectors ([UM] tokens) per user.</param>
/// <param name="L">History items the user model was trained on (the most recent are kept).</param>
/// <param name="AttributeTokens">Attribute token slots per item in training (T).</param>
/// <param name="IdCount">Items with an ID embedding; id_index runs 1..IdCount.</param>
/// <param name="EventTypes">Event type ids, padding (0) included.</param>
/// <param name="ContentCard">The last ContentCard values of a card are its part built from content alone (the same
/// for an item with or without an ID embedding); 0 = one fused card, as in manifests from before 2026-12-03.</param>
public sealed record ModelSizes(
    int D,
    int DCard,
    int M,
    int L,
    int Layers,
    int Heads,
    int TextDim,
    int ImageDim,
    int AttributeBuckets,
    int AttributeTokens,
    int PriceBuckets,
    int IdCount,
    int EventTypes,
    int ContentCard = 0);
