using Azure.Core;
using Azure.Identity;
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
/// Where <see cref="AuthenticationStringSetting"/> says <c>Authorization=AAD</c> (Bicep sets it: the component
/// has local authentication off) the exporter signs in with the app's managed identity (Microsoft Entra ID);
/// without it the connection string alone is used (a component that still allows local authentication).
/// </summary>
public static class UrmTelemetry
{
    /// <summary>Set by Bicep from the Application Insights component; read by the host and by the exporter.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>
    /// Set by Bicep to <c>Authorization=AAD;ClientId=&lt;the user-assigned identity's client id&gt;</c>; the host reads
    /// it for its own telemetry, and the worker's exporter through <see cref="ParseAuthentication"/>.
    /// </summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    public static bool IsOn(IConfiguration configuration)
        => !string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting]);

    public static IServiceCollection AddUrmTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!IsOn(configuration)) return services;
        // Read at start, so that a malformed value stops the app with the setting's name.
        var authentication = ParseAuthentication(configuration[AuthenticationStringSetting]);

        // UseFunctionsWorkerDefaults tells the host the worker exports its own logs (so the host does not
        // relay them a second time) and parents the worker's spans on the host's invocation. The exporter
        // reads the connection string, and the optional AzureMonitorExporter section (sampling), itself.
        services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithMetrics(metrics => metrics.AddMeter(UrmMetrics.MeterName))
            .UseAzureMonitorExporter(options =>
            {
                if (authentication is not null) options.Credential = CreateCredential(authentication);
            });
        services.AddLogging(logging =>
        {
            // Framework chatter at Information (ASP.NET Core's request lines carry the URL, ?code= included;
            // the HTTP client's the blob URLs) is the host's requests and dependencies again: warnings only.
            foreach (var category in (string[])["Microsoft", "System", "Azure"])
                logging.AddFilter<OpenTelemetryLoggerProvider>(category, LogLevel.Warning);
        });
        return services;
    }

    /// <summary>
    /// Reads <see cref="AuthenticationStringSetting"/>, in the Functions host's form: <c>Authorization=AAD</c>
    /// (a system-assigned identity) or <c>Authorization=AAD;ClientId=&lt;guid&gt;</c> (a user-assigned one); keys
    /// and <c>AAD</c> in any case, blanks and an empty trailing part ignored. Unset or blank: null (the
    /// connection string alone). Anything else throws, naming the setting.
    /// </summary>
    public static TelemetryAuthentication? ParseAuthentication(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;

        string? authorization = null, clientId = null;
        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0) throw Invalid(value, $"'{part}' is not Key=Value");
            var key = part[..equals].Trim();
            var item = part[(equals + 1)..].Trim();
            if (key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && authorization is null) authorization = item;
            else if (key.Equals("ClientId", StringComparison.OrdinalIgnoreCase) && clientId is null) clientId = item;
            else throw Invalid(value, $"'{key}' is unknown or repeated (only Authorization and ClientId, once each)");
        }
        if (!string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase))
            throw Invalid(value, "Authorization=AAD is required");
        if (clientId is not null && !Guid.TryParse(clientId, out _))
            throw Invalid(value, $"ClientId '{clientId}' is not a client id (a GUID)");
        return new TelemetryAuthentication(clientId);
    }

    /// <summary>The managed identity: the user-assigned one named by its client id, else the system-assigned one.</summary>
    public static TokenCredential CreateCredential(TelemetryAuthentication authentication)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        return new ManagedIdentityCredential(authentication.ClientId is { } clientId
            ? ManagedIdentityId.FromUserAssignedClientId(clientId)
            : ManagedIdentityId.SystemAssigned);
    }

    private static InvalidOperationException Invalid(string value, string why) =>
        new($"{AuthenticationStringSetting} '{value}' is not valid: {why}. Expected Authorization=AAD or Authorization=AAD;ClientId=<client id of the user-assigned identity>, or leave it unset to use the connection string alone.");
}

/// <summary>The exporter signs in with Microsoft Entra ID as the managed identity: user-assigned where <see cref="ClientId"/> is set.</summary>
public sealed record TelemetryAuthentication(string? ClientId);
