using Microsoft.ML.OnnxRuntime.Tensors;
using Urm.Core.Models.Runtime;

namespace Urm.Core.Models.Package;

/// <summary>
/// The inputs and outputs CardFuser and UserEncoder feed and read (docs/FORMATS.md, "Model directory"),
/// with fixed sizes taken from the manifest. Both the graphs and the manifest's onnx section are checked
/// against these, so a package the code cannot run is refused at load, not at the first request.
/// </summary>
internal static class GraphContracts
{
    public const string Text = "text", Image = "image", ImageMask = "image_mask", AttrTokens = "attr_tokens",
        PriceBucket = "price_bucket", IdIndex = "id_index", Card = "card", Lender = "lender";

    public const string Prompt = "prompt", PromptMask = "prompt_mask", HistoryCards = "history_cards",
        HistoryEvents = "history_events", HistoryMask = "history_mask", UserVectors = "user_vectors";

    private static readonly TensorDim N = TensorDim.Dynamic("n"), B = TensorDim.Dynamic("b"),
        P = TensorDim.Dynamic("P"), L = TensorDim.Dynamic("L"), T = TensorDim.Dynamic("T");

    public static (TensorContract[] Inputs, TensorContract[] Outputs) Fusion(ModelSizes s)
    {
        var text = TensorDim.Fixed(s.TextDim, "sizes.textDim");
        var image = TensorDim.Fixed(s.ImageDim, "sizes.imageDim");
        var card = TensorDim.Fixed(s.DCard, "sizes.dCard");
        return (
            [
                new(Text, TensorElementType.Float, [N, text]),
                new(Image, TensorElementType.Float, [N, image]),
                new(ImageMask, TensorElementType.Float, [N]),
                new(AttrTokens, TensorElementType.Int64, [N, T]),
                new(PriceBucket, TensorElementType.Int64, [N]),
                new(IdIndex, TensorElementType.Int64, [N]),
            ],
            [
                new(Card, TensorElementType.Float, [N, card]),
                // The idTable value of the card's lender, the nearest item by text for a new item (0: none); from 2026-12-03.
                new(Lender, TensorElementType.Int64, [N], Optional: true),
            ]);
    }

    public static (TensorContract[] Inputs, TensorContract[] Outputs) User(ModelSizes s)
    {
        var text = TensorDim.Fixed(s.TextDim, "sizes.textDim");
        var card = TensorDim.Fixed(s.DCard, "sizes.dCard");
        var m = TensorDim.Fixed(s.M, "sizes.M");
        return (
            [
                new(Prompt, TensorElementType.Float, [B, P, text]),
                new(PromptMask, TensorElementType.Float, [B, P]),
                new(HistoryCards, TensorElementType.Float, [B, L, card]),
                new(HistoryEvents, TensorElementType.Int64, [B, L]),
                new(HistoryMask, TensorElementType.Float, [B, L]),
            ],
            [new(UserVectors, TensorElementType.Float, [B, m, card])]);
    }
}
