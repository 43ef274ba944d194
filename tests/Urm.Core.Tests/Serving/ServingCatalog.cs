using Urm.Core.Cards;
using Urm.Core.Models.Runtime;
using Urm.Core.Serving;
using Urm.Core.Telemetry;
using Urm.Core.Tests.Models;

namespace Urm.Core.Tests.Serving;

/// <summary>
/// The tiny model's 30 items as a served catalog: cards fused by the real fusion.onnx, and documents
/// whose category, price and availability follow the row number so tests can say what is eligible.
/// </summary>
internal static class ServingCatalog
{
    public static readonly string[] Categories = ["Beauty>Skin", "Beauty>Hair", "Beauty>Nails"];

    public static string Id(int i) => $"sku-{i}";

    public static string Category(int i) => Categories[i % 3];

    /// <summary>Every 5th item has no price.</summary>
    public static double? Price(int i) => i % 5 == 0 ? null : 5 + i;

    /// <summary>sku-3, sku-10, sku-17, sku-24 are out of stock.</summary>
    public static bool Available(int i) => i % 7 != 3;

    public static CardSnapshot Snapshot(TinyModel model)
    {
        var fuser = new CardFuser(model.Package);
        var matrix = fuser.FuseMatrix(model.Items);
        var documents = Enumerable.Range(0, matrix.Count).Select(i => new CardDocument(
            Id(i), $"Item {i}", null, Category(i), "Brand", Price(i), Available(i), $"{i:x8}", model.Package.Version,
            matrix.Row(i).ToArray(), DateTimeOffset.UnixEpoch, Retired: false)).ToArray();
        return new CardSnapshot(matrix, documents, CatalogVersion: 7, model.Package.Version);
    }

    public static RecommendationService Service(TinyModel model, RecommendationOptions? options = null, UrmMetrics? metrics = null)
    {
        var text = new PromptTableEncoder(Path.Combine(model.Root, "features"));
        return new RecommendationService(ServingModel.Create(model.Package, text), new FixedSnapshotSource(Snapshot(model)), options, metrics);
    }
}
