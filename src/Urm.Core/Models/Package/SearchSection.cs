namespace Urm.Core.Models.Package;

/// <summary>
/// The manifest's optional <c>search</c> section: the served search score adds a text term,
/// score(i) = max_m &lt;u_m, c_i&gt; (+ the model's other terms) + TextWeight · &lt;q, t_i&gt;, where q is the
/// query as typed and t_i the item's text vector as its card keeps it (<see cref="Cards.CardText"/>), both
/// embedded by <see cref="TextModel"/>. The cards are compact and keep too little of an item's words to
/// match a query by them; the frozen text encoder matches words but knows nothing of the shopper. The
/// trainer chose the weight on validation users whose target's queries it never trained on. Absent
/// from manifests written before, or when the model did best alone: then search is the model's score.
/// With <see cref="Popularity"/> the score also adds PopularityWeightFor(hasHistory) · ln(1 + n_i). With
/// <see cref="QueryMap"/> q is the typed query mapped by the trainer's learnt map, normalize(q A).
/// </summary>
/// <param name="TextWeight">Weight of the query–item text inner product for a search with a known history; finite, 0 or above.</param>
/// <param name="TextModel">The text encoder both vectors come from (all-MiniLM-L6-v2).</param>
/// <param name="Validation">The figures the weights were chosen by (for reports; serving does not need them).</param>
/// <param name="TextWeightWithoutHistory">The weight for a search with no known history item, where the
/// model's score of the query alone is a weaker guide and the text counts for more; null: <paramref name="TextWeight"/>.</param>
/// <param name="Popularity">The popularity prior the score adds; null (manifests written before it): none.</param>
/// <param name="QueryMap">The map the typed query goes through before the text term; null (manifests written before it): the query as typed.</param>
public sealed record SearchSection(double TextWeight, string TextModel, SearchValidation? Validation = null, double? TextWeightWithoutHistory = null,
    SearchPopularitySection? Popularity = null, SearchQueryMapSection? QueryMap = null)
{
    /// <summary>The text encoder serving embeds queries and catalog text with (Features.Text).</summary>
    public const string ServedTextModel = "all-MiniLM-L6-v2";

    /// <summary>The weight a search uses: <see cref="TextWeight"/> when the model reads some history, else <see cref="TextWeightWithoutHistory"/>.</summary>
    public double WeightFor(bool hasHistory) => hasHistory ? TextWeight : TextWeightWithoutHistory ?? TextWeight;

    /// <summary>The popularity prior's weight a search uses; 0 without <see cref="Popularity"/>.</summary>
    public double PopularityWeightFor(bool hasHistory) => Popularity?.WeightFor(hasHistory) ?? 0;
}

/// <param name="Users">Validation users whose target has a held-out query.</param>
/// <param name="Ndcg10ByWeight">Weight (as text) -> NDCG@10 over them, read with their history.</param>
/// <param name="TextAloneNdcg10">The text term alone (the frozen encoder's cosine) over them.</param>
/// <param name="Ndcg10ByWeightWithoutHistory">The same, read without their history.</param>
public sealed record SearchValidation(int Users, IReadOnlyDictionary<string, double> Ndcg10ByWeight, double TextAloneNdcg10,
    IReadOnlyDictionary<string, double>? Ndcg10ByWeightWithoutHistory = null);
