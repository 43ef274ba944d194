using System.Diagnostics;
using Urm.Core.Catalog;
using Xunit.Abstractions;

namespace Urm.Core.Tests.Catalog;

[Collection(HeapMeasurementCollection.Name)]
public sealed class CatalogStreamingTests : IDisposable
{
    private const int Rows = 1_000_000;
    private readonly ITestOutputHelper _output;
    private readonly string path = Path.Combine(Path.GetTempPath(), $"urm-stream-{Guid.NewGuid():N}.jsonl");

    public CatalogStreamingTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => File.Delete(path);

    /// <summary>One blocking collection: GC.GetTotalMemory(true) repeats collections until stable, costing seconds here.</summary>
    private static long HeapAfterCollection()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    [Fact]
    public async Task A_million_row_catalog_streams_with_the_heap_far_below_the_size_of_its_rows()
    {
        var clock = Stopwatch.StartNew();
        using (var writer = new StreamWriter(path))
        {
            for (var i = 0; i < Rows; i++)
            {
                writer.Write($"{{\"id\":\"{i}\",\"title\":\"t{i % 97}\",\"price\":{i % 50}}}\n");
            }
        }

        _output.WriteLine($"written in {clock.Elapsed}");
        clock.Restart();

        var baseline = HeapAfterCollection();
        var peak = 0L;
        var report = new ReadReport();
        var count = 0;
        await foreach (var item in CatalogReader.ReadAsync(path, report, CancellationToken.None))
        {
            if (count % 100_000 == 0)
            {
                peak = Math.Max(peak, HeapAfterCollection() - baseline);
            }

            count++;
        }

        _output.WriteLine($"read in {clock.Elapsed}; the heap grew by at most {peak / (1024 * 1024)} MB");
        Assert.Equal(Rows, count);
        Assert.Equal((Rows, Rows, 0), (report.RowsRead, report.Accepted, report.Rejected));
        // Holding a million items would take several hundred MB; the id -> line map takes well under this.
        Assert.True(peak < 150L * 1024 * 1024, $"the heap grew by {peak / (1024 * 1024)} MB while reading");
    }
}
