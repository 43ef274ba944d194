using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using Urm.Core.Telemetry;

namespace Urm.Functions.Telemetry;

/// <summary>
/// The worker's telemetry (docs/OPERATIONS.md, "Telemetry"): OpenTelemetry with the Azure Monitor exporter,
/// so its logs, its invocation spans and the <see cref="UrmMetrics"/> meter reach Application Insights
/// (traces, dependencies, customMetrics), beside the host's own (host.json's <c>telemetryMode</c>). Off,
/// with nothing registered, where <see cref="ConnectionStringSetting"/> is unset: local runs and tests.
/// </summary>
public static class UrmTelemetry
{
    /// <summary>Set by Bicep from the Application Insights component; read by the host and by the exporter.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static bool IsOn(IConfiguration configuration)
        => !string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting]);

    public static IServiceCollection AddUrmTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!IsOn(configuration)) return services;

        // UseFunctionsWorkerDefaults tells the host the worker exports its own logs (so the host does not
        // relay them a second time) and parents the worker's spans on the host's invocation. The exporter
        // reads the connection string, and the optional AzureMonitorExporter section (sampling), itself.
        services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithMetrics(metrics => metrics.AddMeter(UrmMetrics.MeterName))
            .UseAzureMonitorExporter();
        services.AddLogging(logging =>
        {
            // Framework chatter at Information (ASP.NET Core's request lines carry the URL, ?code= included;
            // the HTTP client's the blob URLs) is the host's requests and dependencies again: warnings only.
            foreach (var category in (string[])["Microsoft", "System", "Azure"])
                logging.AddFilter<OpenTelemetryLoggerProvider>(category, LogLevel.Warning);
        });
        return services;
    }
}
