namespace Urm.Core.Tests.Catalog;

/// <summary>
/// Tests that measure the managed heap run alone: the heap is process-wide, so another test allocating
/// in parallel would be counted against the code under test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasurementCollection
{
    public const string Name = "Heap measurement";
}
