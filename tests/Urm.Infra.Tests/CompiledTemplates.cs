using System.Text.Json.Nodes;

namespace Urm.Infra.Tests;

/// <summary>
/// Compiles and lints bicep/ once per test run, in a copy under the test output folder (nothing is
/// written into the repository): `bicep build` of main.bicep, `bicep build-params` and
/// `bicep snapshot` of each parameter file, `bicep lint` of every .bicep and .bicepparam file.
/// </summary>
public sealed class CompiledTemplates : IAsyncLifetime
{
    public static readonly string[] Plans = ["premium", "gpu"];

    // Placeholder deployment scope for snapshots.
    public const string SubscriptionId = "00000000-0000-0000-0000-000000000001";
    public const string ResourceGroup = "rg-urm-test";
    public const string Location = "westeurope";

    public string WorkDirectory { get; } =
        Path.Combine(AppContext.BaseDirectory, "compiled", Guid.NewGuid().ToString("N"), "bicep");

    public BicepCli.Result Build { get; private set; } = null!;
    public JsonObject Template { get; private set; } = null!;
    public string TemplateText { get; private set; } = "";
    public Dictionary<string, BicepCli.Result> BuildParams { get; } = [];
    public BicepCli.Result Lint { get; private set; } = null!;
    public Dictionary<string, PlanSnapshot> Snapshots { get; } = [];

    /// <summary>deploy.sh's second pass (URM_SUBSCRIBE_FUNCTIONS=true): the app is up, its blob triggers get subscribed.</summary>
    public Dictionary<string, PlanSnapshot> SecondPassSnapshots { get; } = [];

    public async Task InitializeAsync()
    {
        CopyDirectory(Path.Combine(Repository.Root(), "bicep"), WorkDirectory);

        Build = await BicepCli.RunAsync(WorkDirectory, "build", "main.bicep", "--outfile", "main.json");
        if (Build.ExitCode == 0)
        {
            TemplateText = await File.ReadAllTextAsync(Path.Combine(WorkDirectory, "main.json"));
            Template = JsonNode.Parse(TemplateText)!.AsObject();
        }

        // One call lints main.bicep, every module and both parameter files.
        Lint = await BicepCli.RunAsync(WorkDirectory, "lint", "--pattern", "**/*.bicep*");

        foreach (var plan in Plans)
        {
            var paramFile = $"main.{plan}.bicepparam";
            BuildParams[plan] = await BicepCli.RunAsync(
                WorkDirectory, "build-params", paramFile, "--outfile", $"main.{plan}.parameters.json");

            Snapshots[plan] = await SnapshotAsync(plan, new Dictionary<string, string>());
            SecondPassSnapshots[plan] = await SnapshotAsync(plan, new Dictionary<string, string> { ["URM_SUBSCRIBE_FUNCTIONS"] = "true" });
        }
    }

    private async Task<PlanSnapshot> SnapshotAsync(string plan, IReadOnlyDictionary<string, string> environment)
    {
        var paramFile = $"main.{plan}.bicepparam";
        var snapshotFile = Path.Combine(WorkDirectory, $"main.{plan}.snapshot.json");
        File.Delete(snapshotFile);
        var snapshot = await BicepCli.RunAsync(
            WorkDirectory, environment, "snapshot", paramFile,
            "--subscription-id", SubscriptionId, "--resource-group", ResourceGroup, "--location", Location);
        if (snapshot.ExitCode != 0 || !File.Exists(snapshotFile))
        {
            throw new InvalidOperationException($"bicep snapshot {paramFile} failed: {snapshot.Output}");
        }
        return new PlanSnapshot(plan, JsonNode.Parse(await File.ReadAllTextAsync(snapshotFile))!.AsObject());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CompiledTemplatesCollection : ICollectionFixture<CompiledTemplates>
{
    public const string Name = "compiled templates";
}
