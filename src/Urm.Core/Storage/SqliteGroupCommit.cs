using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Urm.Core.Storage;

/// <summary>
/// The writes of this process to one SQLite file, made one transaction at a time, each transaction holding every
/// write waiting by then (a group commit). Why: two of this process's connections writing at once make the
/// second meet SQLITE_BUSY, which Microsoft.Data.Sqlite answers by sleeping 150 ms on the caller's thread and
/// trying again; under `urm bench load` at 16 in flight that sleep was 82.8 of the 101 thread-seconds spent
/// answering, and the p99 sat on multiples of 150 ms (docs/BENCHMARKS.md, "HTTP load", 2026-12-04). Writing
/// one at a time alone would cost an fsync each (1.6 ms median on this disk): fewer than 650 writes a second.
/// One instance per file (<see cref="For"/>), so the stores sharing `urm serve`'s file (the recommendation log
/// and the profiles) also wait for each other instead of colliding.
/// </summary>
public sealed class SqliteGroupCommit
{
    private static readonly ConcurrentDictionary<string, SqliteGroupCommit> Files = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly ConcurrentQueue<Pending> _waiting = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    private SqliteGroupCommit(string connectionString) => _connectionString = connectionString;

    /// <summary>The writer of the file at <paramref name="fullPath"/>, shared by every store of this process over that file.</summary>
    public static SqliteGroupCommit For(string fullPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fullPath);
        return Files.GetOrAdd(fullPath, path => new SqliteGroupCommit(new SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30,
        }.ToString()));
    }

    /// <summary>
    /// Queues <paramref name="write"/>, then, holding the gate (waited for without a thread), runs every queued
    /// write in one transaction, unless a writer before took this one along; returns its result once committed.
    /// Each write runs in its own savepoint: one that throws is undone alone and its caller gets the exception,
    /// the others commit. A write whose caller gives up while waiting stays queued and goes with the next
    /// transaction (a write that must not then happen checks its caller's token itself). <paramref name="write"/>
    /// is handed <see cref="CancellationToken.None"/>: the transaction carries other callers' writes, which one
    /// caller's cancellation must not drop.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var pending = new Pending<T>(write);
        _waiting.Enqueue(pending);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Whoever held the gate before answered every write it took: one not answered is still queued.
            if (!pending.Result.Task.IsCompleted) await WriteWaitingAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
        return await pending.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every queued write in one transaction; each write's task completes (or faults) with it.</summary>
    private async Task WriteWaitingAsync()
    {
        var batch = new List<Pending>();
        while (_waiting.TryDequeue(out var waiting)) batch.Add(waiting);
        if (batch.Count == 0) return;
        var written = new List<Pending>(batch.Count);
        try
        {
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var pending in batch)
            {
                await transaction.SaveAsync("write", CancellationToken.None).ConfigureAwait(false);
                try
                {
                    await pending.RunAsync(connection, transaction).ConfigureAwait(false);
                    written.Add(pending);
                }
                catch (Exception e)
                {
                    await transaction.RollbackAsync("write", CancellationToken.None).ConfigureAwait(false);
                    pending.Fail(e);
                }
                await transaction.ReleaseAsync("write", CancellationToken.None).ConfigureAwait(false);
            }
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Nothing was committed: every write not yet answered gets the error (those that failed keep their own).
            foreach (var pending in batch) pending.Fail(e);
            return;
        }
        foreach (var pending in written) pending.Succeed();
    }

    private abstract class Pending
    {
        public abstract Task RunAsync(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Succeed();

        public abstract void Fail(Exception error);
    }

    private sealed class Pending<T>(Func<SqliteConnection, SqliteTransaction, CancellationToken, Task<T>> write) : Pending
    {
        private T? _value;

        public TaskCompletionSource<T> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task RunAsync(SqliteConnection connection, SqliteTransaction transaction)
            => _value = await write(connection, transaction, CancellationToken.None).ConfigureAwait(false);

        public override void Succeed() => Result.TrySetResult(_value!);

        // A write that gave up is cancelled, not faulted: its caller may be gone, and a fault nobody awaits is reported as unobserved.
        public override void Fail(Exception error)
        {
            if (error is OperationCanceledException) Result.TrySetCanceled();
            else Result.TrySetException(error);
        }
    }
}
