namespace Urm.Core.Profiles;

/// <summary>
/// What an erasure removed: the profile's stored events and the event archive's lines; and how many
/// recommendation records it anonymised (they stay, naming no one, so KPIs still count them as served).
/// </summary>
public sealed record Erasure(int ProfileEvents, int ArchivedEvents, int AnonymisedRecommendations);
