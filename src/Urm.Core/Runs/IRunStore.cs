namespace Urm.Core.Runs;

/// <summary>
/// Where a chunked run keeps its files (plan, chunks, one result per chunk), visible to every worker: a
/// blob container in Azure, a folder locally. Names are flat within a run.
/// </summary>
public interface IRunStore
{
    /// <summary>Writes a run's file.</summary>
    /// <param name="createOnly">Write only if it does not exist yet: the exactly-once marker of a chunk or a run's end.</param>
    /// <returns>False when <paramref name="createOnly"/> and the file existed (nothing written).</returns>
    Task<bool> WriteAsync(string runId, string name, byte[] content, bool createOnly, CancellationToken cancellationToken);

    /// <returns>Null when the file does not exist.</returns>
    Task<byte[]?> ReadAsync(string runId, string name, CancellationToken cancellationToken);

    /// <summary>The names of a run's files that start with <paramref name="prefix"/>.</summary>
    Task<IReadOnlyList<string>> ListAsync(string runId, string prefix, CancellationToken cancellationToken);
}
