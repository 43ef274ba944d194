using Urm.Core.Features;

namespace Urm.Core.Models;

/// <param name="Session">Session settings for every package loaded; CPU with ONNX Runtime's default threads when null.</param>
/// <param name="FusionBatchSize">Items per fusion.onnx run (see <see cref="CardFuser"/>).</param>
/// <param name="UserBatchSize">Users per user.onnx run (see <see cref="UserEncoder"/>).</param>
public sealed record ModelHostOptions(EncoderSessionOptions? Session = null, int FusionBatchSize = 512, int UserBatchSize = 256)
{
    public static ModelHostOptions Default { get; } = new();
}
