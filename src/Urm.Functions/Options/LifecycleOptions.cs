namespace Urm.Functions.Options;

/// <summary>
/// Settings <c>Lifecycle__*</c> (docs/SETTINGS.md, "Lifecycle"): how instances follow the served model
/// (<c>models/serving.json</c>), how long a catalog run waits for another, where an instance keeps its files.
/// </summary>
public sealed class LifecycleOptions
{
    public const string Section = "Lifecycle";

    /// <summary>How often every instance reads <c>models/serving.json</c> (a conditional read: 304 when unchanged), in the background and at request time.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a catalog run or model activation waits for the one in progress before it gives up and is retried.</summary>
    public TimeSpan LockWait { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The blob container of raw item features (by content hash), shared by every instance.</summary>
    public string FeaturesContainer { get; set; } = "features";

    /// <summary>The blob container of chunked runs' files (plan, chunks, one result per chunk), shared by every instance.</summary>
    public string RunsContainer { get; set; } = "catalog-runs";

    /// <summary>Changed items per chunk of a run: each chunk is one queue message, encoded on whichever instance takes it.</summary>
    public int ChunkSize { get; set; } = 2_000;

    /// <summary>The instance's own disk (never the shared file share): downloaded packages, the local feature layer, a SQLite store. Default: the temp folder's urm/.</summary>
    public string? LocalRoot { get; set; }

    /// <summary><see cref="LocalRoot"/>, or its default (a method, so that it is not taken for a setting).</summary>
    public string LocalRootOrDefault() => string.IsNullOrWhiteSpace(LocalRoot) ? Path.Combine(Path.GetTempPath(), "urm") : LocalRoot;
}
