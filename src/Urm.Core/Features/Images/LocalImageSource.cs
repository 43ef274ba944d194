namespace Urm.Core.Features.Images;

/// <summary>
/// Images on the local file system: absolute paths as they are (when allowed), relative paths under
/// a base folder, never outside it.
/// </summary>
public sealed class LocalImageSource : IImageSource
{
    private readonly string? _baseFolder;
    private readonly bool _allowAbsolute;

    /// <param name="baseFolder">Where relative references resolve; null refuses relative references.</param>
    /// <param name="allowAbsolute">
    /// Whether absolute paths are read; turn off where catalog uploads are not trusted with the
    /// host's file system.
    /// </param>
    public LocalImageSource(string? baseFolder = null, bool allowAbsolute = true)
    {
        _baseFolder = baseFolder is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseFolder));
        _allowAbsolute = allowAbsolute;
    }

    public Task<Stream> OpenAsync(string reference, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        cancellationToken.ThrowIfCancellationRequested();
        var path = Resolve(reference);
        if (!File.Exists(path)) throw new FileNotFoundException($"There is no image file at '{path}'.", path);
        return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81_920, FileOptions.Asynchronous));
    }

    internal string Resolve(string reference)
    {
        if (Path.IsPathRooted(reference))
        {
            if (!_allowAbsolute) throw new ImageSourceException($"Absolute image paths are not accepted here ('{reference}'); use a path relative to the image folder.");
            return Path.GetFullPath(reference);
        }
        if (_baseFolder is null)
            throw new ImageSourceException($"The image path '{reference}' is relative, and no image folder is configured to resolve it.");
        var path = Path.GetFullPath(Path.Combine(_baseFolder, reference));
        if (!path.StartsWith(_baseFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ImageSourceException($"The image path '{reference}' leads outside the image folder.");
        return path;
    }
}
