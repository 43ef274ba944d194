namespace Urm.Core.Runs;

/// <summary>A run's files under <c>&lt;root&gt;/&lt;runId&gt;/</c> on local disk: `urm serve`, the benchmark, tests.</summary>
public sealed class FolderRunStore(string root) : IRunStore
{
    public string Root { get; } = Path.GetFullPath(root);

    public async Task<bool> WriteAsync(string runId, string name, byte[] content, bool createOnly, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(runId, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!createOnly)
        {
            // Written beside and moved into place: a reader never sees half a file.
            var partial = path + "." + Guid.NewGuid().ToString("N") + ".partial";
            await File.WriteAllBytesAsync(partial, content, cancellationToken).ConfigureAwait(false);
            File.Move(partial, path, overwrite: true);
            return true;
        }
        try
        {
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            await using (file.ConfigureAwait(false))
                await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    public async Task<byte[]?> ReadAsync(string runId, string name, CancellationToken cancellationToken)
    {
        var path = PathOf(runId, name);
        if (!File.Exists(path)) return null;
        return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<string>> ListAsync(string runId, string prefix, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(PathOf(runId, "x"))!;
        IReadOnlyList<string> names = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder).Select(f => Path.GetFileName(f)).Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && !n.EndsWith(".partial", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];
        return Task.FromResult(names);
    }

    /// <summary>Removes a run's files (a finished local run leaves nothing behind).</summary>
    public void Delete(string runId)
    {
        var folder = Path.Combine(Root, RunNames.Check(runId, nameof(runId)));
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private string PathOf(string runId, string name)
    {
        RunNames.Check(runId, nameof(runId));
        RunNames.Check(name, nameof(name));
        return Path.Combine(Root, runId, name);
    }
}
