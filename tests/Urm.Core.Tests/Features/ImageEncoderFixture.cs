using Urm.Core.Features;
using Urm.Core.Features.Images;

namespace Urm.Core.Tests.Features;

/// <summary>One ResNet18 pair of sessions for all image tests, reading under a scratch folder.</summary>
public sealed class ImageEncoderFixture : IDisposable
{
    public ImageEncoderFixture()
    {
        Directory.CreateDirectory(Folder);
        Encoder = ImageEncoder.Load(new LocalImageSource(Folder), new ImageEncoderOptions(
            MaxBytes: 2 * 1024 * 1024, MaxConcurrency: 2, Session: new EncoderSessionOptions(IntraOpThreads: 1)));
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "urm-images-" + Guid.NewGuid().ToString("N"));

    public ImageEncoder Encoder { get; }

    public void Dispose()
    {
        Encoder.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
