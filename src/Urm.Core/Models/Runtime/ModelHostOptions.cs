using Urm.Core.Cards;
using Urm.Core.Features;

namespace Urm.Core.Models.Runtime;

/// <param name="Session">Session settings for every package loaded; CPU with ONNX Runtime's default threads when null.</param>
/// <param name="FusionBatchSize">Items per fusion.onnx run (see <see cref="CardFuser"/>).</param>
/// <param name="UserBatchSize">Users per user.onnx run (see <see cref="UserEncoder"/>).</param>
/// <param name="Cards">How often the card index of an activated model looks at its card set again.</param>
public sealed record ModelHostOptions(EncoderSessionOptions? Session = null, int FusionBatchSize = 512, int UserBatchSize = 256, CardIndexOptions? Cards = null)
{
    public static ModelHostOptions Default { get; } = new();
}
