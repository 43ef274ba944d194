using Azure.Identity;
using Urm.Functions.Telemetry;

namespace Urm.Functions.Tests;

/// <summary>APPLICATIONINSIGHTS_AUTHENTICATION_STRING, in the form the Functions host reads it.</summary>
public sealed class TelemetryAuthenticationTests
{
    private const string ClientId = "3f1c7a52-6d0e-4b8a-9c11-2f5e8d7b4a90";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Absent_means_the_connection_string_alone(string? value) =>
        Assert.Null(UrmTelemetry.ParseAuthentication(value));

    [Theory]
    [InlineData("Authorization=AAD")]
    [InlineData("authorization=aad;")]
    [InlineData(" Authorization = AAD ")]
    public void Authorization_aad_alone_is_the_system_assigned_identity(string value) =>
        Assert.Equal(new TelemetryAuthentication(null), UrmTelemetry.ParseAuthentication(value));

    [Theory]
    [InlineData("Authorization=AAD;ClientId=" + ClientId)]
    [InlineData("ClientId=" + ClientId + ";Authorization=AAD")]
    [InlineData("AUTHORIZATION=AAD; clientid=" + ClientId + ";")]
    public void With_a_client_id_it_is_that_user_assigned_identity(string value) =>
        Assert.Equal(new TelemetryAuthentication(ClientId), UrmTelemetry.ParseAuthentication(value));

    [Theory]
    [InlineData("AAD")]
    [InlineData("Authorization=Key")]
    [InlineData("Authorization=")]
    [InlineData("ClientId=" + ClientId)]
    [InlineData("Authorization=AAD;ClientId=")]
    [InlineData("Authorization=AAD;ClientId=not-a-guid")]
    [InlineData("Authorization=AAD;ClientId=" + ClientId + ";ClientId=" + ClientId)]
    [InlineData("Authorization=AAD;InstrumentationKey=x")]
    [InlineData("=AAD")]
    public void Anything_else_is_an_error_that_names_the_setting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => UrmTelemetry.ParseAuthentication(value));
        Assert.Contains("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_credential_is_the_managed_identity() =>
        Assert.IsType<ManagedIdentityCredential>(UrmTelemetry.CreateCredential(new TelemetryAuthentication(ClientId)));
}
