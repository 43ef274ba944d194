using Urm.Core.Models.Runtime;

namespace Urm.Core.Models.Package;

/// <summary>
/// The manifest's optional <c>repeat</c> section: the model's learned repeat term, trained jointly with
/// it, for items already in the shopper's history (see <see cref="RepeatTerm"/>). The trainer learns it
/// because how often shoppers take an item again is a property of the shop, not of the item's card:
/// negative where they rarely do (Amazon Beauty), positive where they do (viewed items bought next).
/// Absent from manifests written before the trainer learnt it: then nothing is added.
/// </summary>
/// <param name="Tasks">The tasks whose model score adds the term; each one of the manifest's tasks, at least one.</param>
/// <param name="RecencyStarts">Bucket starts over recency (0 = the newest model-history item): ascending, the first 0.</param>
/// <param name="ByEvent">Event name (as in the manifest's eventTypes) -> the term per recency bucket, RecencyStarts.Count finite values.</param>
public sealed record RepeatSection(
    IReadOnlyList<string> Tasks,
    IReadOnlyList<int> RecencyStarts,
    IReadOnlyDictionary<string, IReadOnlyList<float>> ByEvent);
