namespace Urm.Core.Features.Images;

/// <summary>An image reference that a source refuses or cannot serve; the message is the reason shown in reports.</summary>
public sealed class ImageSourceException : Exception
{
    public ImageSourceException(string message) : base(message)
    {
    }

    public ImageSourceException(string message, Exception inner) : base(message, inner)
    {
    }
}
