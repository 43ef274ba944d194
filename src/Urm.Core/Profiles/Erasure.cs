namespace Urm.Core.Profiles;

/// <summary>What an erasure removed: the profile's stored events and the event archive's lines.</summary>
public sealed record Erasure(int ProfileEvents, int ArchivedEvents);
