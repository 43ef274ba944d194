using System.Text.Json.Serialization;

namespace Urm.Core.Models.Package;

/// <summary>Full-ranking figures of one split (leave-one-out), as the trainer measured them.</summary>
public sealed record SplitMetrics(
    [property: JsonPropertyName("HR@5")] double Hr5,
    [property: JsonPropertyName("NDCG@5")] double Ndcg5,
    [property: JsonPropertyName("HR@10")] double Hr10,
    [property: JsonPropertyName("NDCG@10")] double Ndcg10,
    int Users);
