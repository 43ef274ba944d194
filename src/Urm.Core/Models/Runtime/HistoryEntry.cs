using Urm.Core.Events;
using Urm.Core.Models.Package;

namespace Urm.Core.Models.Runtime;

/// <summary>One history item as the user model sees it: the item's card and what the shopper did.</summary>
/// <param name="Card">The item's card, <see cref="ModelSizes.DCard"/> floats.</param>
public sealed record HistoryEntry(float[] Card, EventType Event);
