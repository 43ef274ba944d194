using System.Net;
using System.Text.Json;
using Urm.Core.Events;

namespace Urm.Cli.Bench;

/// <summary>
/// How many of the accepted events can be read back: in the profile (<see cref="InProfiles"/>, by event id
/// through GET /api/users/{id}) and, when the server's event folder is at hand, in the archive
/// (<see cref="InArchive"/>); <see cref="Readable"/> is those in either.
/// </summary>
public sealed record ReadbackResult(int Accepted, int InProfiles, int? InArchive, int Readable);

/// <summary>
/// The check after `urm bench load`'s events mix. A profile keeps only its newest events (Profiles__MaxEvents,
/// 200 by default), so a pool small for the run's event count loses some from the profiles by design; the
/// archive keeps every event, and is what training reads.
/// </summary>
public static class EventReadback
{
    /// <param name="archiveFolder">`urm serve`'s --events-dir, when the server runs on this machine; null to read the profiles alone.</param>
    /// <param name="since">When the run began: the archive is read from that day to today (UTC).</param>
    public static async Task<ReadbackResult> CountAsync(LoadSettings settings, IReadOnlyList<LoadEvent> accepted, string? archiveFolder, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        using var http = LoadTest.Client(settings);
        var inProfiles = new HashSet<string>(StringComparer.Ordinal);
        var byUser = accepted.GroupBy(e => e.UserId).ToList();
        await Parallel.ForEachAsync(byUser, new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken }, async (user, token) =>
        {
            var stored = await ProfileEventIdsAsync(http, user.Key, token).ConfigureAwait(false);
            var found = user.Where(e => stored.Contains(e.EventId)).Select(e => e.EventId).ToList();
            lock (inProfiles) inProfiles.UnionWith(found);
        }).ConfigureAwait(false);

        HashSet<string>? inArchive = null;
        if (archiveFolder is not null)
        {
            var wanted = accepted.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
            inArchive = new HashSet<string>(StringComparer.Ordinal);
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            await foreach (var e in new FolderEventArchive(archiveFolder).ReadAsync(DateOnly.FromDateTime(since.UtcDateTime), today, cancellationToken).ConfigureAwait(false))
                if (e.EventId is { } id && wanted.Contains(id)) inArchive.Add(id);
        }
        var readable = accepted.Count(e => inProfiles.Contains(e.EventId) || inArchive?.Contains(e.EventId) == true);
        return new ReadbackResult(accepted.Count, accepted.Count(e => inProfiles.Contains(e.EventId)), inArchive is null ? null : accepted.Count(e => inArchive.Contains(e.EventId)), readable);
    }

    /// <summary>The event ids of a user's stored profile; none when the server answers 404.</summary>
    private static async Task<HashSet<string>> ProfileEventIdsAsync(HttpClient http, string user, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/api/users/{Uri.EscapeDataString(user)}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"GET /api/users/{user} answered {(int)response.StatusCode}; the profiles cannot be read back.");
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        return document.RootElement.GetProperty("events").EnumerateArray()
            .Select(e => e.GetProperty("eventId").GetString()).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }
}
