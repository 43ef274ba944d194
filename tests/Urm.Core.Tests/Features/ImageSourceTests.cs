using System.Net;
using System.Net.Sockets;
using Urm.Core.Features.Images;

namespace Urm.Core.Tests.Features;

public sealed class ImageSourceTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "urm-src-" + Guid.NewGuid().ToString("N"));

    public ImageSourceTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Relative_paths_resolve_under_the_base_folder_and_may_not_leave_it()
    {
        var source = new LocalImageSource(_folder);

        Assert.Equal(Path.Combine(_folder, "a", "b.png"), source.Resolve("a/b.png"));
        Assert.Throws<ImageSourceException>(() => source.Resolve("../b.png"));
        Assert.Throws<ImageSourceException>(() => source.Resolve("a/../../b.png"));
        Assert.Equal("/tmp/x.png", source.Resolve("/tmp/x.png"));
        Assert.Throws<ImageSourceException>(() => new LocalImageSource(_folder, allowAbsolute: false).Resolve("/tmp/x.png"));
        Assert.Throws<ImageSourceException>(() => new LocalImageSource().Resolve("a.png"));
    }

    [Fact]
    public void References_are_routed_by_their_form()
    {
        var web = new LocalImageSource();
        var local = new LocalImageSource();
        var blob = new LocalImageSource();
        var routing = new RoutingImageSource(web, local, blob);

        Assert.Same(web, routing.Route("https://cdn.example.com/a.jpg"));
        Assert.Same(web, routing.Route("HTTP://cdn.example.com/a.jpg"));
        Assert.Same(local, routing.Route("/data/a.jpg"));
        Assert.Same(blob, routing.Route("images/a.jpg"));
        Assert.Same(local, new RoutingImageSource(web, local).Route("images/a.jpg"));
    }

    [Fact]
    public async Task Http_downloads_are_cut_at_the_size_cap_and_the_time_limit()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        using var stop = new CancellationTokenSource();
        var server = Serve(listener, stop.Token);
        using var client = new HttpClient();
        // Generous except where the limit is under test: the machine may be busy.
        var source = new HttpImageSource(client, new HttpImageSourceOptions(TimeSpan.FromSeconds(20), 100_000));
        var impatient = new HttpImageSource(client, new HttpImageSourceOptions(TimeSpan.FromSeconds(1), 100_000));
        var root = $"http://127.0.0.1:{port}";

        await using (var small = await source.OpenAsync($"{root}/small", CancellationToken.None))
            Assert.Equal(1000, small.Length);
        var big = await Assert.ThrowsAsync<ImageSourceException>(() => source.OpenAsync($"{root}/big-unannounced", CancellationToken.None));
        Assert.Contains("limit", big.Message);
        await Assert.ThrowsAsync<TimeoutException>(() => impatient.OpenAsync($"{root}/slow", CancellationToken.None));
        var missing = await Assert.ThrowsAsync<ImageSourceException>(() => source.OpenAsync($"{root}/missing", CancellationToken.None));
        Assert.Contains("404", missing.Message);

        await stop.CancelAsync();
        listener.Stop();
        await server;
    }

    private static async Task Serve(HttpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (stop.IsCancellationRequested || !listener.IsListening)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                var response = context.Response;
                try
                {
                    switch (context.Request.Url!.AbsolutePath)
                    {
                        case "/small":
                            response.ContentLength64 = 1000;
                            await response.OutputStream.WriteAsync(new byte[1000]);
                            break;
                        case "/big-unannounced":
                            // Chunked, so only reading past the cap can tell the body is too big.
                            response.SendChunked = true;
                            for (var i = 0; i < 50; i++) await response.OutputStream.WriteAsync(new byte[10_000]);
                            break;
                        case "/slow":
                            await Task.Delay(30_000, stop);
                            break;
                        default:
                            response.StatusCode = 404;
                            break;
                    }
                    response.Close();
                }
                catch (Exception)
                {
                    // The client gave up first (size cap, timeout): nothing to answer.
                }
            });
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
