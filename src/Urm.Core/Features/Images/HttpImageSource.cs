namespace Urm.Core.Features.Images;

/// <summary>Images downloaded over http(s), with a time limit and a size cap.</summary>
public sealed class HttpImageSource(HttpClient client, HttpImageSourceOptions? options = null) : IImageSource
{
    private readonly HttpImageSourceOptions _options = options ?? HttpImageSourceOptions.Default;

    public async Task<Stream> OpenAsync(string reference, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(reference, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ImageSourceException($"'{reference}' is not an http(s) URL.");

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.Timeout);
        try
        {
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new ImageSourceException($"'{reference}' answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            if (response.Content.Headers.ContentLength > _options.MaxBytes)
                throw new ImageSourceException($"The image at '{reference}' is larger than the {_options.MaxBytes:N0}-byte limit.");
            // Buffered so the caller's decode runs on memory, not on a socket held open.
            await using var body = await response.Content.ReadAsStreamAsync(limit.Token).ConfigureAwait(false);
            var bytes = await BoundedRead.ReadAllAsync(body, _options.MaxBytes, reference, limit.Token).ConfigureAwait(false);
            return new MemoryStream(bytes, writable: false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"'{reference}' did not deliver the image within {_options.Timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException e)
        {
            throw new ImageSourceException($"Downloading '{reference}' failed: {e.Message}", e);
        }
    }
}
