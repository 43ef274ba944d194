using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Urm.Functions.Options;

namespace Urm.Functions.Tests;

/// <summary>The names the app binds are exactly the documented app settings (docs/SETTINGS.md), and wrong values stop it at start.</summary>
public sealed partial class SettingsTests
{
    /// <summary>Section__Property for every options class the app binds (its own, the Cosmos DB adapter's, the profiles').</summary>
    private static HashSet<string> Bound() => typeof(CardStoreOptions).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(CardStoreOptions).Namespace && t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is not null)
        .Append(typeof(Urm.Azure.Cosmos.CosmosCardStoreOptions))
        .Append(typeof(Urm.Azure.Cosmos.CosmosProfileStoreOptions))
        .Append(typeof(Urm.Core.Profiles.ProfileOptions))
        .Append(typeof(Urm.Azure.Cosmos.CosmosRecommendationLogOptions))
        .Append(typeof(Urm.Core.Kpi.KpiOptions))
        .Append(typeof(Urm.Core.Experiments.ExperimentOptions))
        .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => $"{t.GetField("Section")!.GetValue(null)}__{p.Name}"))
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static HashSet<string> Documented() => Setting().Matches(File.ReadAllText(Path.Combine(Repository.Root(), "docs", "SETTINGS.md")))
        .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"^\| `([A-Za-z_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex Setting();

    [Fact]
    public void Every_bound_setting_is_documented()
    {
        var missing = Bound().Except(Documented(), StringComparer.OrdinalIgnoreCase).ToArray();
        Assert.True(missing.Length == 0, "bound but not in docs/SETTINGS.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_documented_setting_of_the_apps_sections_is_bound()
    {
        var sections = Bound().Select(n => n.Split("__")[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Equal(["CardStore", "CatalogStorage", "Experiment", "Kpi", "Lifecycle", "Models", "Onnx", "Profiles", "Recommendations", "Retrieval"], sections.Order(StringComparer.Ordinal).ToArray());
        var unbound = Documented().Where(n => n.Contains("__", StringComparison.Ordinal) && sections.Contains(n.Split("__")[0]))
            .Except(Bound(), StringComparer.OrdinalIgnoreCase).ToArray();
        Assert.True(unbound.Length == 0, "documented but not bound: " + string.Join(", ", unbound));
    }

    [Fact]
    public void The_sample_local_settings_name_every_documented_setting()
    {
        var sample = File.ReadAllText(Path.Combine(Repository.Root(), "local.settings.sample.json"));
        var missing = Documented().Where(n => !sample.Contains($"\"{n}\"", StringComparison.Ordinal)).ToArray();
        Assert.True(missing.Length == 0, "not in local.settings.sample.json: " + string.Join(", ", missing));
    }

    [Fact]
    public void Settings_bind_from_their_environment_names()
    {
        var options = Provider(new()
        {
            ["CardStore:Kind"] = "sqlite",
            ["Models:Container"] = "my-models",
            ["Onnx:ExecutionProvider"] = "cuda",
            ["Onnx:IntraOpThreads"] = "2",
            ["Onnx:TextPrecision"] = "INT8",
            ["Onnx:ImagePrecision"] = "int8",
            ["CatalogStorage:blobServiceUri"] = "https://acct.blob.core.windows.net",
            ["CatalogStorage:queueServiceUri"] = "https://acct.queue.core.windows.net",
            ["CatalogStorage:clientId"] = "abc",
        });
        Assert.Equal("my-models", options.GetRequiredService<IOptions<ModelsOptions>>().Value.Container);
        Assert.Equal("cuda", options.GetRequiredService<IOptions<OnnxOptions>>().Value.ExecutionProvider);
        Assert.Equal(new Urm.Core.Features.EncoderSessionOptions(IntraOpThreads: 2, UseCuda: true), options.GetRequiredService<Urm.Core.Features.EncoderSessionOptions>());
        Assert.Equal(new Urm.Core.Features.Text.TextEncoderOptions(Session: new(IntraOpThreads: 2, UseCuda: true), Precision: Urm.Core.Features.Text.TextPrecision.Int8),
            options.GetRequiredService<Urm.Core.Features.Text.TextEncoderOptions>());
        // Catalog images run on every core whatever the request path's thread count.
        Assert.Equal(new Urm.Core.Features.Images.ImageEncoderOptions(Session: new(IntraOpThreads: 0, UseCuda: true), Precision: Urm.Core.Features.Images.ImagePrecision.Int8),
            options.GetRequiredService<Urm.Core.Features.Images.ImageEncoderOptions>());
        Assert.Equal(new Uri("https://acct.blob.core.windows.net"), options.GetRequiredService<IOptions<CatalogStorageOptions>>().Value.BlobServiceUri);
        Assert.Equal("abc", options.GetRequiredService<IOptions<CatalogStorageOptions>>().Value.ClientId);
    }

    [Fact]
    public void The_scan_thread_setting_reaches_the_serving_options()
    {
        using var split = Provider(Valid("Retrieval:ScanThreads", "2"));
        Assert.Equal(2, split.GetRequiredService<Urm.Core.Serving.RecommendationOptions>().ScanThreads);
        using var unset = Provider(Valid("Models:Container", "models"));
        Assert.Equal(1, unset.GetRequiredService<Urm.Core.Serving.RecommendationOptions>().ScanThreads);
    }

    [Fact]
    public void Profile_settings_bind_from_their_environment_names()
    {
        var settings = Valid("Profiles:MaxEvents", "50");
        settings["Profiles:EventTtl"] = "30.00:00:00";
        var profiles = Provider(settings).GetRequiredService<IOptions<Urm.Core.Profiles.ProfileOptions>>().Value;
        Assert.Equal((50, TimeSpan.FromDays(30)), (profiles.MaxEvents, profiles.EventTtl));
    }

    [Fact]
    public async Task Cosmos_kind_registers_the_cosmos_card_sets_and_sqlite_the_embedded_ones()
    {
        // Creating the Cosmos client reaches no server: the store talks to Cosmos DB on first use.
        var settings = Valid("CardStore:Kind", "Cosmos");
        settings["CardStore:CosmosEndpoint"] = "https://acct.documents.azure.com:443/";
        using var cosmos = Provider(settings);
        Assert.IsType<Urm.Azure.Cosmos.CosmosCardSets>(cosmos.GetRequiredService<Urm.Core.Cards.ICardSets>());
        var local = Directory.CreateTempSubdirectory("urm-settings-").FullName;
        var sqliteSettings = Valid("CardStore:Kind", "sqlite");
        sqliteSettings["Lifecycle:LocalRoot"] = local;
        using (var sqlite = Provider(sqliteSettings))
        {
            var sets = Assert.IsType<Urm.Core.Cards.SqliteCardSets>(sqlite.GetRequiredService<Urm.Core.Cards.ICardSets>());
            // On the instance's local disk, where Lifecycle__LocalRoot says.
            var store = Assert.IsType<Urm.Core.Cards.SqliteCardStore>(await sets.OpenAsync("m1", default));
            Assert.Equal(Path.Combine(local, "cards.db"), store.Path);
        }
        Directory.Delete(local, recursive: true);
    }

    [Fact]
    public void Cosmos_without_an_endpoint_names_the_setting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Provider(Valid("CardStore:Kind", "cosmos"))
            .GetRequiredService<IOptions<Urm.Azure.Cosmos.CosmosCardStoreOptions>>().Value);
        Assert.Contains("CardStore__CosmosEndpoint", error.Message);
    }

    [Theory]
    [InlineData("CardStore:Kind", "mongo", "CardStore__Kind")]
    [InlineData("Onnx:ExecutionProvider", "tpu", "Onnx__ExecutionProvider")]
    [InlineData("Onnx:IntraOpThreads", "-2", "Onnx__IntraOpThreads")]
    [InlineData("Onnx:TextPrecision", "fp16", "Onnx__TextPrecision")]
    [InlineData("Onnx:ImagePrecision", "fp16", "Onnx__ImagePrecision")]
    [InlineData("Models:Container", " ", "Models__Container")]
    [InlineData("Retrieval:ScanThreads", "0", "Retrieval__ScanThreads")]
    [InlineData("CatalogStorage:blobServiceUri", "not a uri", "CatalogStorage__blobServiceUri")]
    [InlineData("Lifecycle:PollInterval", "00:00:00", "Lifecycle__PollInterval")]
    [InlineData("Lifecycle:LockWait", "00:00:00", "Lifecycle__LockWait")]
    [InlineData("Lifecycle:FeaturesContainer", " ", "Lifecycle__FeaturesContainer")]
    [InlineData("Lifecycle:RunsContainer", " ", "Lifecycle__RunsContainer")]
    [InlineData("Lifecycle:ChunkSize", "0", "Lifecycle__ChunkSize")]
    [InlineData("CatalogStorage:queueServiceUri", "not a uri", "CatalogStorage__queueServiceUri")]
    [InlineData("Profiles:MaxEvents", "0", "Profiles__MaxEvents")]
    [InlineData("Profiles:EventTtl", "00:00:01", "Profiles__EventTtl")]
    [InlineData("Experiment:Arms", "m-1=1", "Experiment__Arms names 1 arm")]
    [InlineData("Experiment:Arms", "m-1=0.5,m-2=0.4", "Experiment__Arms shares sum to 0.9")]
    [InlineData("Experiment:Arms", "m-1=0.5,m-1=0.5", "Experiment__Arms names model version 'm-1' 2 times")]
    [InlineData("Experiment:Arms", "m-1=0.5,m-2", "Experiment__Arms entry 'm-2'")]
    public void A_wrong_value_names_its_setting(string key, string value, string setting)
    {
        var provider = Provider(Valid(key, value));
        var error = Assert.ThrowsAny<Exception>(() =>
        {
            _ = provider.GetRequiredService<IOptions<CardStoreOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<OnnxOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<ModelsOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<CatalogStorageOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<LifecycleOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<Urm.Core.Profiles.ProfileOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<Urm.Core.Experiments.ExperimentOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<RetrievalOptions>>().Value;
        });
        Assert.Contains(setting, error is OptionsValidationException ? error.Message : error.ToString());
    }

    [Fact]
    public void An_experiment_registers_its_arms_and_none_registers_no_arms()
    {
        var settings = Valid("Experiment:Arms", "m-1=0.9, m-2=0.1");
        settings["Experiment:Salt"] = "spring";
        using var provider = Provider(settings);
        var experiment = provider.GetRequiredService<Urm.Core.Experiments.ArmModels>().Experiment;
        Assert.Equal([("A", "m-1", 0.9), ("B", "m-2", 0.1)], experiment.Arms.Select(a => (a.Name, a.ModelVersion, a.Share)).ToArray());
        Assert.Equal("spring", experiment.Salt);
        // The HTTP layer routes by arm exactly when this is registered.
        Assert.Same(provider.GetRequiredService<Urm.Core.Experiments.ArmModels>(), provider.GetRequiredService<Urm.Http.Serving.UrmServing>().Arms);

        using var none = Provider(Valid("Experiment:Arms", " "));
        Assert.Null(none.GetService<Urm.Core.Experiments.ArmModels>());
        Assert.Null(none.GetRequiredService<IOptions<Urm.Core.Experiments.ExperimentOptions>>().Value.ToExperiment());
    }

    private static Dictionary<string, string?> Valid(string key, string value) => new()
    {
        ["CardStore:Kind"] = "sqlite",
        ["CatalogStorage:blobServiceUri"] = "https://acct.blob.core.windows.net",
        ["CatalogStorage:queueServiceUri"] = "https://acct.queue.core.windows.net",
        [key] = value,
    };

    private static ServiceProvider Provider(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddUrmFunctions(configuration);
        return services.BuildServiceProvider();
    }
}
