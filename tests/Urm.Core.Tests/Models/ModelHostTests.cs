using Urm.Core.Cards;
using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Core.Models;
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
    public async Task Re_fusing_after_activation_encodes_no_text_and_stamps_the_new_version()
    {
        await using var bench = await EncodingBench.StartAsync(model);
        await bench.EncodeAsync(model.Items);
        var before = (await bench.Store.GetAsync("sku-5", default))!;
        await bench.Host.ActivateAsync(model.SecondDirectory, default);

        var report = await bench.Encoder.ReFuseAsync(default);

        Assert.Equal(EncodingModel.ItemCount, report.Fused);
        Assert.Equal(0, report.Extraction.TextsEncoded);
        Assert.Equal(EncodingModel.ItemCount, report.Extraction.CacheHits);
        Assert.Equal(0, report.MissingFeatures);
        var after = (await bench.Store.GetAsync("sku-5", default))!;
        Assert.Equal(model.SecondVersion, after.ModelVersion);
        Assert.Equal(before with { ModelVersion = "", UpdatedAt = default }, after with { ModelVersion = "", UpdatedAt = default, Vector = before.Vector });
        Assert.Equal(0, (await bench.Encoder.ReFuseAsync(default)).Fused); // nothing left on the old version
    }

    private ItemFeatures Features(string id)
    {
        var item = model.Items.Single(i => i.Id == id);
        var text = new float[384];
        text[0] = 1f;
        return new ItemFeatures(id, "h", text, null, AttributeTokens.For(item), PriceBucket.Of(item.Price));
    }
}
