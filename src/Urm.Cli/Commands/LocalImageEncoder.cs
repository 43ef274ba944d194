using Urm.Core.Features;
using Urm.Core.Features.Images;

namespace Urm.Cli.Commands;

/// <summary>The image encoder of local runs: http(s) URLs fetched, absolute paths read, relative paths under the catalog's folder.</summary>
public static class LocalImageEncoder
{
    public static ImageEncoder Load(HttpClient http, string imageRoot, EncoderSessionOptions session, ImagePrecision precision = ImagePrecision.Fp32) =>
        ImageEncoder.Load(
            new RoutingImageSource(new HttpImageSource(http), new LocalImageSource(), new LocalImageSource(imageRoot)),
            new ImageEncoderOptions(Session: session, Precision: precision));
}
