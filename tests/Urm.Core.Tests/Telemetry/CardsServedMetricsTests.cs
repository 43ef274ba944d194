using Urm.Core.Models.Runtime;
using Urm.Core.Telemetry;
using Urm.Core.Tests.Cards;
using Urm.Core.Tests.Models;

namespace Urm.Core.Tests.Telemetry;

/// <summary>The cards-served gauge: the current snapshot's card count of each served model.</summary>
[Collection(EncodingModelCollection.Name)]
public sealed class CardsServedMetricsTests(EncodingModel model)
{
    [Fact]
    public async Task The_gauge_reports_each_served_models_card_count_from_its_activation_on()
    {
        await using var first = await EncodingWorld.StartAsync(model);
        await first.EncodeAsync(model.Items);
        await using var second = await EncodingWorld.StartAsync(model);
        await second.Host.ActivateAsync(model.SecondDirectory, default);
        await second.EncodeAsync(model.Items.Take(5));
        using var recorder = new MetricsRecorder();
        using var primary = new ModelHost(new ModelHostOptions(TinyModel.Session));
        using var arm = new ModelHost(new ModelHostOptions(TinyModel.Session));
        recorder.Metrics.ObserveCards(primary);
        recorder.Metrics.ObserveCards(arm);
        recorder.Metrics.ObserveCards(primary);

        // Nothing served yet: no series rather than a zero that would read as an empty catalog.
        Assert.Empty(recorder.Observe(UrmMetrics.CardsServed));

        await primary.ActivateAsync(model.Directory, first.Store, default);
        var one = Assert.Single(recorder.Observe(UrmMetrics.CardsServed));
        Assert.Equal((EncodingModel.ItemCount, model.Version), (one.Value, one.Tags[UrmMetrics.ModelTag]));

        await arm.ActivateAsync(model.SecondDirectory, second.Store, default);
        var both = recorder.Observe(UrmMetrics.CardsServed).ToDictionary(m => (string)m.Tags[UrmMetrics.ModelTag]!, m => m.Value);
        Assert.Equal(new Dictionary<string, double> { [model.Version] = EncodingModel.ItemCount, [model.SecondVersion] = 5 }, both);
    }
}
