namespace Urm.Core.Models;

/// <summary>The manifest's <c>sizes</c>: the only source of tensor sizes on the serving side.</summary>
/// <param name="DCard">Card and user vector size.</param>
/// <param name="M">User vectors ([UM] tokens) per user.</param>
/// <param name="L">History items the user model was trained on (the most recent are kept).</param>
/// <param name="AttributeTokens">Attribute token slots per item in training (T).</param>
/// <param name="IdCount">Items with an ID embedding; id_index runs 1..IdCount.</param>
/// <param name="EventTypes">Event type ids, padding (0) included.</param>
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
    int EventTypes);
