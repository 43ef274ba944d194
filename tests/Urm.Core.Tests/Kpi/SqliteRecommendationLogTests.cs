using Urm.Core.Kpi;

namespace Urm.Core.Tests.Kpi;

/// <summary>The recommendation log contract on the SQLite table `urm serve` keeps.</summary>
public sealed class SqliteRecommendationLogTests : RecommendationLogContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("urm-log-").FullName;

    protected override async Task<IRecommendationLog> CreateAsync()
        => await SqliteRecommendationLog.OpenAsync(Path.Combine(_folder, $"{Guid.NewGuid():N}.db"), default);

    protected override Task CleanUpAsync()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
