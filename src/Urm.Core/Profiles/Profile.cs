namespace Urm.Core.Profiles;

/// <summary>A shopper's stored recent events, oldest first (newest last), at most the store's cap.</summary>
public sealed record Profile(ProfileKey Key, IReadOnlyList<ProfileEvent> Events);
