using Urm.Core.Cards;
using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Core.Features.Attributes;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;
using Urm.Core.Tests.Cards;

namespace Urm.Core.Tests.Models;

[Collection(EncodingModelCollection.Name)]
public sealed class ModelHostTests(EncodingModel model)
{
    [Fact]
    public async Task Activation_swaps_the_active_model()
    {
        using var host = new ModelHost(new ModelHostOptions(TinyModel.Session));
        Assert.Null(host.ActiveVersion);
        Assert.Throws<Urm.Core.Serving.ServiceNotReadyException>(() => host.Acquire());

        await host.ActivateAsync(model.Directory, default);
        Assert.Equal(model.Version, host.ActiveVersion);
        await host.ActivateAsync(model.SecondDirectory, default);

        Assert.Equal(model.SecondVersion, host.ActiveVersion);
        Assert.Equal(new CardSpace(model.SecondVersion, 24), host.CardSpace);
        using var lease = host.Acquire();
        Assert.Equal(model.SecondVersion, lease.Version);
    }

    [Fact]
    public async Task A_broken_package_is_refused_with_the_problem_named_and_the_old_one_stays_active()
    {
        using var host = new ModelHost(new ModelHostOptions(TinyModel.Session));
        await host.ActivateAsync(model.Directory, default);
        var broken = Directory.CreateTempSubdirectory("urm-broken-model-").FullName;
        foreach (var file in Directory.GetFiles(model.Directory).Where(f => Path.GetFileName(f) != "fusion.onnx"))
            File.Copy(file, Path.Combine(broken, Path.GetFileName(file)));
        await File.WriteAllTextAsync(Path.Combine(broken, "fusion.onnx"), "not a graph");

        var e = await Assert.ThrowsAsync<ModelPackageException>(() => host.ActivateAsync(broken, default));

        Assert.Contains("fusion.onnx", e.Message);
        Assert.Equal(model.Version, host.ActiveVersion);
        using var lease = host.Acquire();
        Assert.Equal(24, lease.Fuser.Fuse([Features("sku-1")]).Length);
        Directory.Delete(broken, recursive: true);
    }

    [Fact]
    public async Task A_package_whose_sizes_do_not_fit_the_serving_features_is_refused()
    {
        using var host = new ModelHost(new ModelHostOptions(TinyModel.Session));
        await host.ActivateAsync(model.Directory, default);
        // The random-feature model: 100 attribute buckets where the extractor hashes into 65,536.
        using var tiny = new TinyModel();

        var e = await Assert.ThrowsAsync<ModelPackageException>(() => host.ActivateAsync(tiny.Directory, default));

        Assert.Contains("attributeBuckets", e.Message);
        Assert.Equal(model.Version, host.ActiveVersion);
    }

    [Fact]
    public async Task A_lease_taken_before_a_swap_still_works_after_it()
    {
        using var host = new ModelHost(new ModelHostOptions(TinyModel.Session));
        await host.ActivateAsync(model.Directory, default);
        using var old = host.Acquire();

        await host.ActivateAsync(model.SecondDirectory, default);
        var card = old.Fuser.Fuse([Features("sku-2")]);
        var users = old.Users.Encode(new UserSequence(new float[384], [new HistoryEntry(card, EventType.View)]));

        Assert.Equal(model.Version, old.Version);
        Assert.Equal(24, card.Length);
        Assert.Equal(old.Users.OutputLength, users.Length);
        Assert.Equal(model.SecondVersion, host.ActiveVersion);
    }

    [Fact]
    public async Task A_lease_holds_its_model_and_the_cards_activated_with_it_across_a_swap()
    {
        // Model A's cards in one store, model B's in another (two card sets).
        await using var world = await EncodingWorld.StartAsync(model);
        await world.EncodeAsync(model.Items);
        await using var second = await EncodingWorld.StartAsync(model);
        await second.Host.ActivateAsync(model.SecondDirectory, default);
        await second.EncodeAsync(model.Items.Take(5));
        using var host = new ModelHost(new ModelHostOptions(TinyModel.Session));
        await host.ActivateAsync(model.Directory, world.Store, default);
        using var old = host.Acquire();

        await host.ActivateAsync(model.SecondDirectory, second.Store, default);
        using var current = host.Acquire();

        var before = await old.Cards.GetAsync(default);
        var after = await current.Cards.GetAsync(default);
        Assert.Equal((model.Version, EncodingModel.ItemCount), (before.ModelVersion, before.Matrix.Count));
        Assert.Equal((model.SecondVersion, 5), (after.ModelVersion, after.Matrix.Count));
        using var encodingOnly = new ModelHost(new ModelHostOptions(TinyModel.Session));
        await encodingOnly.ActivateAsync(model.Directory, default);
        using var lease = encodingOnly.Acquire();
        Assert.Throws<Urm.Core.Serving.ServiceNotReadyException>(() => lease.Cards);
    }

    private ItemFeatures Features(string id)
    {
        var item = model.Items.Single(i => i.Id == id);
        var text = new float[384];
        text[0] = 1f;
        return new ItemFeatures(id, "h", text, null, AttributeTokens.For(item), PriceBucket.Of(item.Price));
    }
}
