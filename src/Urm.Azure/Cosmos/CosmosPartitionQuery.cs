using System.Runtime.CompilerServices;
using Microsoft.Azure.Cosmos;

namespace Urm.Azure.Cosmos;

/// <summary>A query within one logical partition, page by page, each page retried on its own through the call's <see cref="CosmosRun"/>.</summary>
internal static class CosmosPartitionQuery
{
    /// <param name="what">The query in words for an error message; by default it names the partition.</param>
    public static async IAsyncEnumerable<T> ReadAsync<T>(CosmosRun run, Container container, QueryDefinition query, string partition, [EnumeratorCancellation] CancellationToken cancellationToken, string? what = null)
    {
        var options = new QueryRequestOptions { PartitionKey = new PartitionKey(partition), MaxItemCount = 1_000 };
        using var pages = container.GetItemQueryIterator<T>(query, requestOptions: options);
        while (pages.HasMoreResults)
        {
            var page = await run.ExecuteAsync(what ?? $"query of partition {partition}", pages.ReadNextAsync, r => r.RequestCharge, cancellationToken).ConfigureAwait(false);
            foreach (var item in page) yield return item;
        }
    }
}
