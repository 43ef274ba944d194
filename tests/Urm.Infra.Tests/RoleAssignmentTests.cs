using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Urm.Infra.Tests;

/// <summary>
/// The app identity holds exactly the documented roles, each scoped to its resource; the Event Grid
/// topic's own identity may write dead letters to their container and nothing else.
/// </summary>
[Collection(CompiledTemplatesCollection.Name)]
public sealed partial class RoleAssignmentTests(CompiledTemplates compiled)
{
    public static TheoryData<string> Plans => new(CompiledTemplates.Plans);

    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string CosmosBuiltInDataContributor = "00000000-0000-0000-0000-000000000002";

    [Theory]
    [MemberData(nameof(Plans))]
    public void Azure_role_assignments_are_exactly_the_documented_ones(string plan)
    {
        var snapshot = compiled.Snapshots[plan];
        var storageId = (string)snapshot.Single("Microsoft.Storage/storageAccounts")["id"]!;
        var expected = new List<(string Role, string Scope)>
        {
            (StorageBlobDataOwner, storageId),
            (StorageQueueDataContributor, storageId),
            (StorageBlobDataContributor, EventGridTests.DeadLetterContainer(snapshot).Id),
            (MonitoringMetricsPublisher, (string)snapshot.Single("Microsoft.Insights/components")["id"]!),
        };
        if (plan == "gpu")
        {
            expected.Add((AcrPull, (string)snapshot.Single("Microsoft.ContainerRegistry/registries")["id"]!));
        }

        var actual = snapshot.OfType("Microsoft.Authorization/roleAssignments")
            .Select(a => (Role: RoleGuid(a), Scope: Scope(a)))
            .ToList();
        Assert.Equal(expected.Order(), actual.Order());
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Every_role_assignment_but_the_dead_letter_writer_is_for_the_app_identity(string plan)
    {
        var snapshot = compiled.Snapshots[plan];
        var identityId = (string)snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        var assignments = snapshot.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => !IsForTheTopic(snapshot, a))
            .Concat(snapshot.OfType("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"))
            .ToList();
        Assert.Equal(plan == "gpu" ? 5 : 4, assignments.Count);
        foreach (var assignment in assignments)
        {
            var principal = (string)assignment["properties"]!["principalId"]!;
            Assert.Contains($"'{identityId}'", principal, StringComparison.Ordinal);
            Assert.EndsWith(".principalId]", principal, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void The_event_grid_topic_may_only_write_dead_letters_to_their_container(string plan)
    {
        foreach (var snapshot in new[] { compiled.Snapshots[plan], compiled.SecondPassSnapshots[plan] })
        {
            var assignment = Assert.Single(snapshot.OfType("Microsoft.Authorization/roleAssignments"), a => IsForTheTopic(snapshot, a));
            Assert.Equal(StorageBlobDataContributor, RoleGuid(assignment));
            Assert.Equal(EventGridTests.DeadLetterContainer(snapshot).Id, Scope(assignment));
            Assert.Equal("ServicePrincipal", (string?)assignment["properties"]!["principalType"]);
        }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void The_app_identity_may_send_and_receive_on_the_chunk_queues(string plan)
    {
        // Coordinator and workers send and receive chunk messages, the host moves poison messages and the
        // poison reader reads them: all as the app identity, on the data account's queues.
        var snapshot = compiled.Snapshots[plan];
        var identityId = (string)snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        var scopes = snapshot.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => RoleGuid(a) == StorageQueueDataContributor
                && ((string)a["properties"]!["principalId"]!).Contains($"'{identityId}'", StringComparison.Ordinal))
            .Select(Scope)
            .ToList();
        Assert.Contains((string)snapshot.DataAccount["id"]!, scopes);
        foreach (var name in new[] { "catalog-chunks", "catalog-chunks-poison" })
        {
            var queueId = (string)Assert.Single(snapshot.OfType("Microsoft.Storage/storageAccounts/queueServices/queues"),
                q => ((string)q["name"]!).EndsWith($"/{name}", StringComparison.Ordinal))["id"]!;
            Assert.Contains(scopes, scope => queueId.StartsWith($"{scope}/", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Telemetry_is_ingested_with_entra_id_as_the_app_identity(string plan)
    {
        // The component refuses the instrumentation key; the app identity may publish to it, and the host
        // and the worker are told to sign in as that identity (the user-assigned one: ClientId).
        var snapshot = compiled.Snapshots[plan];
        var component = snapshot.Single("Microsoft.Insights/components");
        Assert.True((bool)component["properties"]!["DisableLocalAuth"]!);

        var identityId = (string)snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        var publisher = Assert.Single(snapshot.OfType("Microsoft.Authorization/roleAssignments"), a => RoleGuid(a) == MonitoringMetricsPublisher);
        Assert.Equal((string)component["id"]!, Scope(publisher));
        var principal = (string)publisher["properties"]!["principalId"]!;
        Assert.Contains($"'{identityId}'", principal, StringComparison.Ordinal);
        Assert.EndsWith(".principalId]", principal, StringComparison.Ordinal);
        Assert.Equal("ServicePrincipal", (string?)publisher["properties"]!["principalType"]);

        var authentication = snapshot.AppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];
        Assert.StartsWith("[format('Authorization=AAD;ClientId={0}', ", authentication, StringComparison.Ordinal);
        Assert.Contains($"'{identityId}'", authentication, StringComparison.Ordinal);
        Assert.EndsWith(".clientId)]", authentication, StringComparison.Ordinal);
        Assert.Equal(snapshot.AppSettings["AZURE_CLIENT_ID"], authentication.Replace("[format('Authorization=AAD;ClientId={0}', ", "[").Replace(".clientId)]", ".clientId]"));
    }

    // The system topic's system-assigned identity: reference('<topic id>', '<api>', 'full').identity.principalId.
    private static bool IsForTheTopic(PlanSnapshot snapshot, JsonObject assignment)
    {
        var topicId = (string)snapshot.Single("Microsoft.EventGrid/systemTopics")["id"]!;
        var principal = (string)assignment["properties"]!["principalId"]!;
        return principal.StartsWith($"[reference('{topicId}', ", StringComparison.Ordinal)
            && principal.EndsWith(", 'full').identity.principalId]", StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Cosmos_data_contributor_is_assigned_on_the_account(string plan)
    {
        var snapshot = compiled.Snapshots[plan];
        var cosmosId = (string)snapshot.Single("Microsoft.DocumentDB/databaseAccounts")["id"]!;
        var assignment = snapshot.Single("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments");
        Assert.Equal($"{cosmosId}/sqlRoleDefinitions/{CosmosBuiltInDataContributor}",
            (string?)assignment["properties"]!["roleDefinitionId"]);
        Assert.Equal(cosmosId, (string?)assignment["properties"]!["scope"]);
    }

    private static string RoleGuid(JsonObject assignment) =>
        ((string)assignment["properties"]!["roleDefinitionId"]!).Split('/')[^1];

    // Role assignments are extension resources: their id is extensionResourceId('<scope>', ...), or
    // '<scope>/providers/Microsoft.Authorization/roleAssignments/<name>' when the name is known before deployment.
    private static string Scope(JsonObject assignment)
    {
        var id = (string)assignment["id"]!;
        var match = ScopePattern().Match(id);
        if (!match.Success)
        {
            match = LiteralScopePattern().Match(id);
        }
        Assert.True(match.Success, id);
        return match.Groups[1].Value;
    }

    [GeneratedRegex(@"^\[extensionResourceId\('([^']+)', 'Microsoft\.Authorization/roleAssignments'")]
    private static partial Regex ScopePattern();

    [GeneratedRegex(@"^(/subscriptions/[^\[\]']+)/providers/Microsoft\.Authorization/roleAssignments/[^/]+$")]
    private static partial Regex LiteralScopePattern();
}
