using System.Net;
using System.Net.Sockets;
using Urm.Cli.Bench;

namespace Urm.Cli.Tests.Serve;

/// <summary>The load generator behind `urm bench load`: every request it sends is one the server answers with 200.</summary>
[Collection(ServeCollection.Name)]
public sealed class LoadTestTests(ServeFixture serve)
{
    private LoadSettings Settings(Uri url) => new(
        url, serve.Model.Items.Select(i => i.Id).ToList(), serve.Model.Items.Select(i => i.Category!).Distinct().ToList(),
        TimeSpan.FromSeconds(2), Concurrency: 4, History: 20, K: 10, Key: null);

    [Fact]
    public async Task Every_request_of_the_mix_is_answered_with_200()
    {
        var result = await new LoadTest(Settings(serve.Client.BaseAddress!)).RunAsync(default);

        Assert.True(result.Requests > 4, $"only {result.Requests} requests in 2 s");
        Assert.Equal(0, result.Errors);
        Assert.Equal([200], result.StatusCounts.Keys);
        Assert.Equal(result.Requests, result.LatenciesMs.Length);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_counts_as_errors()
    {
        // A port nothing listens on: every request fails to connect and is counted, not lost.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await new LoadTest(Settings(new Uri($"http://127.0.0.1:{port}")) with { Duration = TimeSpan.FromMilliseconds(300) }).RunAsync(default);

        Assert.True(result.Requests > 0);
        Assert.Equal(result.Requests, result.Errors);
        Assert.Equal([0], result.StatusCounts.Keys);
    }
}
