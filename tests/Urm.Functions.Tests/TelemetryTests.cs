using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Urm.Core.Telemetry;
using Urm.Functions.Telemetry;

namespace Urm.Functions.Tests;

/// <summary>
/// The app's telemetry is on where Bicep sets the Application Insights connection string and off, with
/// no exporter and no failure, where it is unset (local runs, tests). Nothing is sent from here: the
/// connection string names no real endpoint, live metrics are off, and nothing is recorded to export.
/// With the authentication string the exporter is given the managed identity credential; the test
/// records that and swaps in a stand-in, so no token is ever asked for.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private const string DummyConnectionString =
        "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://localhost/;LiveEndpoint=https://localhost/";

    private readonly string _local = Directory.CreateTempSubdirectory("urm-telemetry-").FullName;

    [Fact]
    public async Task Without_a_connection_string_the_host_starts_with_no_exporter_and_its_metrics_still_record()
    {
        using var host = Build(connectionString: null);
        using var instruments = new UrmInstruments(host.Services.GetRequiredService<UrmMetrics>());

        await host.StartAsync();

        Assert.False(UrmTelemetry.IsOn(host.Services.GetRequiredService<IConfiguration>()));
        Assert.Null(host.Services.GetService<MeterProvider>());
        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.DoesNotContain(host.Services.GetServices<ILoggerProvider>(), p => p is OpenTelemetryLoggerProvider);
        // Nothing but this test's own listener hears the meter.
        Assert.NotEmpty(instruments.Published);
        Assert.All(instruments.Published, i => Assert.False(i.Enabled, $"{i.Name} is listened to"));
        await host.StopAsync();
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("Authorization=AAD", typeof(ManagedIdentityCredential))]
    [InlineData("Authorization=AAD;ClientId=3f1c7a52-6d0e-4b8a-9c11-2f5e8d7b4a90", typeof(ManagedIdentityCredential))]
    public async Task The_exporter_signs_in_with_the_managed_identity_only_when_the_authentication_string_says_so(string? authentication, Type? credential)
    {
        TokenCredential? configured = null;
        using var host = Build(DummyConnectionString, authentication, options =>
        {
            configured = options.Credential;
            if (options.Credential is not null) options.Credential = new NoToken();
        });
        using var instruments = new UrmInstruments(host.Services.GetRequiredService<UrmMetrics>());

        await host.StartAsync();

        var exporter = host.Services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().Get(Microsoft.Extensions.Options.Options.DefaultName);
        Assert.Equal(DummyConnectionString, exporter.ConnectionString);
        Assert.Equal(credential, configured?.GetType());
        Assert.NotNull(host.Services.GetService<MeterProvider>());
        Assert.NotNull(host.Services.GetService<TracerProvider>());
        Assert.Contains(host.Services.GetServices<ILoggerProvider>(), p => p is OpenTelemetryLoggerProvider);
        Assert.All(instruments.Published, i => Assert.True(i.Enabled, $"{i.Name} is not exported"));
        await host.StopAsync();
    }

    [Fact]
    public void A_malformed_authentication_string_stops_the_start_with_the_settings_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(DummyConnectionString, "Authorization=Key"));
        Assert.Contains(UrmTelemetry.AuthenticationStringSetting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_connection_string_the_host_starts_with_logs_traces_and_the_urm_meter_on_the_azure_monitor_exporter()
    {
        using var host = Build(DummyConnectionString);
        using var instruments = new UrmInstruments(host.Services.GetRequiredService<UrmMetrics>());

        await host.StartAsync();

        Assert.True(UrmTelemetry.IsOn(host.Services.GetRequiredService<IConfiguration>()));
        var exporter = host.Services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().Get(Microsoft.Extensions.Options.Options.DefaultName);
        Assert.Equal(DummyConnectionString, exporter.ConnectionString);
        Assert.NotNull(host.Services.GetService<MeterProvider>());
        Assert.NotNull(host.Services.GetService<TracerProvider>());
        Assert.Contains(host.Services.GetServices<ILoggerProvider>(), p => p is OpenTelemetryLoggerProvider);
        // The meter provider listens to every instrument of the app's meter.
        Assert.NotEmpty(instruments.Published);
        Assert.All(instruments.Published, i => Assert.True(i.Enabled, $"{i.Name} is not exported"));
        await host.StopAsync();
    }

    private IHost Build(string? connectionString, string? authentication = null, Action<AzureMonitorExporterOptions>? after = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CardStore:Kind"] = "sqlite",
            ["CatalogStorage:blobServiceUri"] = "https://acct.blob.core.windows.net",
            ["CatalogStorage:queueServiceUri"] = "https://acct.queue.core.windows.net",
            ["Lifecycle:LocalRoot"] = _local,
            [UrmTelemetry.ConnectionStringSetting] = connectionString,
            [UrmTelemetry.AuthenticationStringSetting] = authentication,
            // Nothing leaves the test: no live-metrics session, no telemetry kept on disk for a retry.
            ["AzureMonitorExporter:EnableLiveMetrics"] = "false",
            ["AzureMonitorExporter:DisableOfflineStorage"] = "true",
        });
        builder.Services.AddUrmFunctions(builder.Configuration);
        builder.Services.AddUrmTelemetry(builder.Configuration);
        if (after is not null) builder.Services.PostConfigure(after);
        return builder.Build();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_local, recursive: true); } catch (IOException) { }
    }

    /// <summary>Stands in for the managed identity: never reaches a token endpoint.</summary>
    private sealed class NoToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => new("none", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    /// <summary>The instruments of one <see cref="UrmMetrics"/>, seen as they are published, without listening to them.</summary>
    private sealed class UrmInstruments : IDisposable
    {
        private readonly MeterListener _listener = new();

        public UrmInstruments(UrmMetrics metrics)
        {
            _listener.InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter)) lock (Published) Published.Add(instrument);
            };
            _listener.Start();
        }

        public List<Instrument> Published { get; } = [];

        public void Dispose() => _listener.Dispose();
    }
}
