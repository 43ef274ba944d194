using Urm.Core.Features;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;

namespace Urm.Cli.Serve;

/// <summary>What `urm serve` was asked to run.</summary>
/// <param name="ModelDirectory">The primary model: it serves every request outside an experiment, and the card store's default set holds its cards.</param>
/// <param name="CatalogDirectory">A folder whose catalog file(s) are encoded at start and again whenever one changes; null to only serve.</param>
/// <param name="Urls">Kestrel's listen addresses (';'-separated); port 0 picks a free port.</param>
/// <param name="Threads">ONNX Runtime threads per session (0: all cores).</param>
public sealed record ServeSettings(string ModelDirectory, string StorePath, string? CatalogDirectory, string Urls, int Threads = 0)
{
    public const string DefaultStore = "urm.db";
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>
    /// Raw features cached by content hash beside the store, so a re-encode or re-fuse reads, not recomputes, them;
    /// int8 features in a folder of their own (<c>.features-int8</c>, <c>.features-images-int8</c>, ...), so a change of precision re-encodes.
    /// </summary>
    public string FeatureCacheDirectory => FeatureVariant.Folder(
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(StorePath))!, Path.GetFileName(StorePath) + ".features"), TextPrecision, ImagePrecision);

    /// <summary>MiniLM's arithmetic for prompts and catalog texts alike.</summary>
    public TextPrecision TextPrecision { get; init; } = TextPrecision.Fp32;

    /// <summary>ResNet18's arithmetic for catalog images.</summary>
    public ImagePrecision ImagePrecision { get; init; } = ImagePrecision.Fp32;

    /// <summary>Catalog runs' working files (plan, chunks) beside the store; each run's folder is removed when it finishes.</summary>
    public string RunsDirectory => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(StorePath))!, Path.GetFileName(StorePath) + ".runs");

    /// <summary>
    /// Every accepted event, for training (<c>yyyy/MM/dd/*.jsonl</c>, docs/FORMATS.md), in the folder <c>events</c>
    /// beside the store unless set; `urm train --events` takes this folder.
    /// </summary>
    public string EventsDirectory
    {
        get => _eventsDirectory ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(StorePath))!, "events");
        init => _eventsDirectory = value;
    }

    private readonly string? _eventsDirectory;

    /// <summary>How long the watcher waits after the last change to a file before encoding it (uploads write in pieces).</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many events each shopper's profile keeps, and for how long (defaults: 200, no expiry).</summary>
    public Urm.Core.Profiles.ProfileOptions Profiles { get; init; } = Urm.Core.Profiles.ProfileOptions.Default;

    /// <summary>
    /// During an experiment, the models of the arms the primary model does not serve (`--model` given again):
    /// each is loaded beside the primary one and serves its arm from a card set of its own.
    /// </summary>
    public IReadOnlyList<string> ArmModelDirectories { get; init; } = [];

    /// <summary>The experiment asked for on the command line (--experiment); null to read <c>Experiment__*</c> from the environment.</summary>
    public Urm.Core.Experiments.ExperimentOptions? Experiment { get; init; }

    /// <summary>The least level of Urm's own log lines (encoding runs, model activation).</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;
}
