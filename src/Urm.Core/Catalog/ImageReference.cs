using Urm.Core.Text;

namespace Urm.Core.Catalog;

/// <summary>
/// Decides whether an image reference is one the image fetcher may follow: an http(s) URL, a local
/// absolute path, or a relative path that stays inside the catalog's own folder or container.
/// </summary>
public static class ImageReference
{
    /// <summary>Why <paramref name="reference"/> cannot be used, or null when it can.</summary>
    public static string? Problem(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Any(char.IsControl))
        {
            return "'image' contains a control character (NUL, tab, newline...); write a plain path or URL";
        }

        if (reference.StartsWith("//", StringComparison.Ordinal) || reference.StartsWith(@"\\", StringComparison.Ordinal))
        {
            return $"'image' \"{Quoting.Shorten(reference, 60)}\" is a network or protocol-relative reference; write a full https:// URL";
        }

        if (IsDrivePath(reference) || reference.StartsWith('/'))
        {
            return null;
        }

        var colon = reference.IndexOf(':');
        var slash = reference.IndexOfAny(['/', '\\']);
        if (colon > 0 && (slash < 0 || colon < slash))
        {
            var scheme = reference[..colon].ToLowerInvariant();
            if (scheme is not ("http" or "https"))
            {
                return $"'image' uses the scheme '{Quoting.Shorten(scheme, 60)}:'; only http(s) URLs, local paths and relative paths are allowed";
            }

            return Uri.TryCreate(reference, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host)
                ? null
                : $"'image' \"{Quoting.Shorten(reference, 60)}\" is not a well-formed {scheme} URL";
        }

        // A relative path is resolved against the catalog's folder; ".." must not climb out of it.
        var depth = 0;
        foreach (var segment in reference.Split('/', '\\'))
        {
            depth += segment switch { ".." => -1, "" or "." => 0, _ => 1 };
            if (depth < 0)
            {
                return $"'image' \"{Quoting.Shorten(reference, 60)}\" climbs out of the catalog's folder with '..'; use a path inside it";
            }
        }

        return null;
    }

    private static bool IsDrivePath(string value) =>
        value.Length >= 3 && char.IsAsciiLetter(value[0]) && value[1] == ':' && value[2] is '/' or '\\';
}
