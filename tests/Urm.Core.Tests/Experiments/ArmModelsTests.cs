using Urm.Core.Cards;
using Urm.Core.Experiments;
using Urm.Core.Models.Runtime;
using Urm.Core.Serving;
using Urm.Core.Tests.Models;

namespace Urm.Core.Tests.Experiments;

/// <summary>Two models side by side: each arm is served by the host that has its model, never by another.</summary>
[Collection(EncodingModelCollection.Name)]
public sealed class ArmModelsTests(EncodingModel model) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-arms-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task The_primary_serves_its_arm_the_other_arm_its_own_host_once_activated_and_not_before()
    {
        using var store = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(Path.Combine(_folder, "cards.db")), default);
        using var armStore = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(store.Path, CardSet: model.SecondVersion), default);
        using var primary = new ModelHost(new ModelHostOptions(TinyModel.Session));
        await primary.ActivateAsync(model.Directory, store, default);
        var experiment = Experiment.Parse($"{model.Version}=0.5,{model.SecondVersion}=0.5");
        using var arms = new ArmModels(experiment, primary, new ModelHostOptions(TinyModel.Session));
        var (a, b) = (experiment.Arms[0], experiment.Arms[1]);

        Assert.Same(primary, arms.HostOf(a));
        var notReady = Assert.Throws<ServiceNotReadyException>(() => arms.HostOf(b));
        Assert.Contains($"Arm B's model {model.SecondVersion}", notReady.Message);

        await arms.ActivateAsync(b, model.SecondDirectory, armStore, default);

        var host = arms.HostOf(b);
        Assert.NotSame(primary, host);
        using var lease = host.Acquire();
        Assert.Equal(model.SecondVersion, lease.Version);
        // Its cards are its own set's, in its own card space.
        var snapshot = await lease.Cards.GetAsync(default);
        Assert.Equal(model.SecondVersion, snapshot.ModelVersion);
        Assert.Equal(model.Version, primary.ActiveVersion);
    }

    [Fact]
    public async Task A_package_of_another_version_than_the_arms_is_refused_and_never_serves_the_arm()
    {
        using var store = await SqliteCardStore.OpenAsync(new SqliteCardStoreOptions(Path.Combine(_folder, "cards.db")), default);
        using var primary = new ModelHost(new ModelHostOptions(TinyModel.Session));
        var experiment = Experiment.Parse($"{model.Version}=0.5,{model.SecondVersion}=0.5");
        using var arms = new ArmModels(experiment, primary, new ModelHostOptions(TinyModel.Session));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => arms.ActivateAsync(experiment.Arms[1], model.Directory, store, default));

        Assert.Contains($"arm B is model {model.SecondVersion}", error.Message);
        Assert.Throws<ServiceNotReadyException>(() => arms.HostOf(experiment.Arms[1]));
    }
}
