using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Urm.Cli.Serve;

namespace Urm.Cli.Tests.Serve;

/// <summary>
/// `urm serve` started in-process on 127.0.0.1 (a free port) over the trained tiny model, with a watched
/// catalog folder holding the model's shop; ready once health reports every item.
/// </summary>
public class ServeFixture : IAsyncLifetime
{
    private readonly ServeModel _model;
    private WebApplication? _app;

    public ServeFixture() : this(new ServeModel())
    {
    }

    protected ServeFixture(ServeModel model) => _model = model;

    public string Folder { get; } = Directory.CreateTempSubdirectory("urm-serve-").FullName;

    public string CatalogDirectory => Path.Combine(Folder, "catalog");

    public string CatalogFile => Path.Combine(CatalogDirectory, "catalog.jsonl");

    public ServeModel Model => _model;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The running server's services (its metrics, for one).</summary>
    public IServiceProvider Services => _app!.Services;

    public async Task InitializeAsync()
    {
        await _model.InitializeAsync();
        Directory.CreateDirectory(CatalogDirectory);
        await ServeModel.WriteCatalogAsync(CatalogFile, _model.Items);
        var settings = new ServeSettings(_model.Directory, Path.Combine(Folder, "urm.db"), CatalogDirectory, "http://127.0.0.1:0", Threads: 1)
        {
            Debounce = TimeSpan.FromMilliseconds(200),
        };
        _app = await ServeHost.CreateAsync(settings, default);
        await _app.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        await WaitForHealthAsync(h => h.GetProperty("cardCount").GetInt32() == _model.Items.Count, TimeSpan.FromSeconds(120));
    }

    /// <summary>Polls GET /api/health until <paramref name="ready"/> holds; fails after <paramref name="limit"/>.</summary>
    public async Task<JsonElement> WaitForHealthAsync(Func<JsonElement, bool> ready, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Client.GetAsync("/api/health");
            if (response.IsSuccessStatusCode)
            {
                last = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (ready(last)) return last;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Health did not reach the expected state within {limit}; last: {last}");
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await _model.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
