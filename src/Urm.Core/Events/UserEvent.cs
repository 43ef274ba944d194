namespace Urm.Core.Events;

public enum EventType { View, Click, Cart, Purchase }

/// <summary>One shopper interaction (DESIGN.md, "Events").</summary>
public sealed record UserEvent(string UserId, string ItemId, EventType Type, DateTimeOffset Timestamp);
