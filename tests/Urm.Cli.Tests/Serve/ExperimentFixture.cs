using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Urm.Cli.Serve;
using Urm.Core.Experiments;

namespace Urm.Cli.Tests.Serve;

/// <summary>
/// `urm serve` running an experiment: two tiny models trained on the same shop with different seeds, the
/// first as the primary model (arm A) and the second loaded beside it (arm B), half the shoppers each; ready
/// once health reports both arms' card sets full.
/// </summary>
public sealed class ExperimentFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public ServeModel Control { get; } = ServeModel.Seeded(7);

    public ServeModel Treatment { get; } = ServeModel.Seeded(8);

    public string Folder { get; } = Directory.CreateTempSubdirectory("urm-experiment-").FullName;

    public string StorePath => Path.Combine(Folder, "urm.db");

    public string CatalogFile => Path.Combine(Folder, "catalog", "catalog.jsonl");

    public string EventsDirectory => Path.Combine(Folder, "events");

    public Experiment Experiment { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public ServeSettings Settings(string arms) => new(Control.Directory, StorePath, Path.GetDirectoryName(CatalogFile), "http://127.0.0.1:0", Threads: 1)
    {
        Debounce = TimeSpan.FromMilliseconds(200),
        ArmModelDirectories = [Treatment.Directory],
        Experiment = new ExperimentOptions { Arms = arms },
    };

    public async Task InitializeAsync()
    {
        await Control.InitializeAsync();
        await Treatment.InitializeAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(CatalogFile)!);
        await ServeModel.WriteCatalogAsync(CatalogFile, Control.Items);
        var arms = $"{Control.Version}=0.5,{Treatment.Version}=0.5";
        Experiment = Experiment.Parse(arms);
        _app = await ServeHost.CreateAsync(Settings(arms), default);
        await _app.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Client.GetAsync("/api/health");
            last = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode && JsonDocument.Parse(last).RootElement.GetProperty("arms").EnumerateArray().All(a => a.GetProperty("cardCount").GetInt32() == Control.Items.Count))
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Both arms' cards were not served within 120 s; last health: {last}");
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await Control.DisposeAsync();
        await Treatment.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
