using Urm.Core.Serving;
using Urm.Core.Tests.Models;
using static Urm.Core.Tests.Serving.ServingCatalog;

namespace Urm.Core.Tests.Serving;

[Collection(TinyModelCollection.Name)]
public sealed class WarmUpTests(TinyModel model)
{
    [Fact]
    public async Task Warming_up_embeds_every_manifest_piece_once_and_requests_then_embed_none_of_them()
    {
        var text = new PromptTableEncoder(Path.Combine(model.Root, "features"));
        var service = new RecommendationService(ServingModel.Create(model.Package, text), new FixedSnapshotSource(Snapshot(model)));

        await service.WarmUpAsync(CancellationToken.None);
        var manifestTexts = model.Package.Manifest.Prompts.Select(p => p.Text).ToList();
        Assert.Equal(manifestTexts.Order(StringComparer.Ordinal), text.Encoded.Order(StringComparer.Ordinal));

        text.Encoded.Clear();
        foreach (var task in new[] { RecommendTasks.NextItem, RecommendTasks.Similar, RecommendTasks.Category })
        {
            var request = new RecommendRequest("u-1", [new HistoryEvent(Id(1), "view", null)], task, null, null, null,
                task == RecommendTasks.Category ? Categories[0] : null, 5, null);
            await service.RecommendAsync(request, CancellationToken.None);
        }
        Assert.Empty(text.Encoded);
    }
}
