using Microsoft.Extensions.Options;

namespace Urm.Azure.Cosmos;

/// <summary>Start-up check of <c>CardStore__*</c>: a wrong value stops the app with the setting's name and what to put there.</summary>
public sealed class CosmosCardStoreOptionsValidator : IValidateOptions<CosmosCardStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, CosmosCardStoreOptions options)
    {
        var errors = Problems(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Every problem of <paramref name="options"/>, each naming its setting.</summary>
    public static IEnumerable<string> Problems(CosmosCardStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString)
            && options.CosmosEndpoint is not { IsAbsoluteUri: true, Scheme: "https" or "http" })
            yield return "CardStore__CosmosEndpoint must be the Cosmos DB account endpoint, e.g. https://<account>.documents.azure.com:443/ (or set CardStore__ConnectionString for an emulator).";
        if (string.IsNullOrWhiteSpace(options.Database))
            yield return "CardStore__Database is empty; set it to the Cosmos DB database of the cards (e.g. 'urm').";
        if (string.IsNullOrWhiteSpace(options.Container))
            yield return "CardStore__Container is empty; set it to the cards container (partition key /pk, e.g. 'cards').";
        if (options.WriteConcurrency < 1)
            yield return $"CardStore__WriteConcurrency is {options.WriteConcurrency}; it must be at least 1.";
        if (options.ReadConcurrency < 1)
            yield return $"CardStore__ReadConcurrency is {options.ReadConcurrency}; it must be at least 1.";
        if (options.MaxRetries < 0)
            yield return $"CardStore__MaxRetries is {options.MaxRetries}; it must not be negative.";
        if (options.MaxRetryWait <= TimeSpan.Zero)
            yield return $"CardStore__MaxRetryWait is {options.MaxRetryWait}; it must be positive (e.g. 00:00:30).";
        if (options.WriteLease < TimeSpan.FromSeconds(2))
            yield return $"CardStore__WriteLease is {options.WriteLease}; it must be at least 00:00:02 (default 00:05:00).";
    }
}
