namespace Urm.Cli.Tests;

public sealed class BenchChunksCommandTests
{
    [Fact]
    public async Task The_chunk_benchmark_prints_its_runs_and_one_changed_item_re_fuses_one_card()
    {
        var (exitCode, output, errors) = await CliRun.InvokeAsync("bench", "chunks", "--items", "250", "--chunk-size", "100", "--workers", "2");

        Assert.True(exitCode == 0, errors);
        Assert.Contains("| first upload (empty store) | 250 | 3 |", output);
        Assert.Contains("| same file again | 0 | 0 |", output);
        Assert.Contains("One changed item -> 1 card re-fused, 249 unchanged, 1 chunk.", output);
    }
}
