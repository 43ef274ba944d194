using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Urm.Core.Experiments;
using Urm.Core.Kpi;
using Urm.Core.Profiles;

namespace Urm.Functions.Options;

/// <summary>Start-up checks of the app's settings: a wrong value stops the app with the setting's name and what to put there.</summary>
public sealed class UrmOptionsValidator(IConfiguration configuration) :
    IValidateOptions<CardStoreOptions>, IValidateOptions<ModelsOptions>, IValidateOptions<OnnxOptions>, IValidateOptions<CatalogStorageOptions>,
    IValidateOptions<LifecycleOptions>, IValidateOptions<ProfileOptions>, IValidateOptions<KpiOptions>, IValidateOptions<ExperimentOptions>,
    IValidateOptions<RetrievalOptions>
{
    /// <summary>The split alone; whether each arm's model is in the models container is <see cref="Storage.ExperimentCheck"/>'s job (it needs the container).</summary>
    public ValidateOptionsResult Validate(string? name, ExperimentOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public ValidateOptionsResult Validate(string? name, KpiOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public ValidateOptionsResult Validate(string? name, ProfileOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public ValidateOptionsResult Validate(string? name, CardStoreOptions options)
    {
        var kind = options.Kind?.Trim().ToLowerInvariant();
        return kind switch
        {
            CardStoreOptions.Sqlite or CardStoreOptions.Cosmos => ValidateOptionsResult.Success,
            _ => ValidateOptionsResult.Fail($"CardStore__Kind is '{options.Kind}'; use 'sqlite' (local runs) or 'cosmos' (Azure)."),
        };
    }

    public ValidateOptionsResult Validate(string? name, ModelsOptions options)
        => string.IsNullOrWhiteSpace(options.Container)
            ? ValidateOptionsResult.Fail("Models__Container is empty; set it to the blob container of model packages (e.g. 'models').")
            : ValidateOptionsResult.Success;

    public ValidateOptionsResult Validate(string? name, OnnxOptions options)
    {
        if (options.ExecutionProvider?.Trim().ToLowerInvariant() is not (OnnxOptions.Cpu or OnnxOptions.Cuda))
            return ValidateOptionsResult.Fail($"Onnx__ExecutionProvider is '{options.ExecutionProvider}'; use 'cpu' or 'cuda'.");
        if (!Urm.Core.Features.Text.TextEncoderOptions.TryParsePrecision(options.TextPrecision, out _))
            return ValidateOptionsResult.Fail($"Onnx__TextPrecision is '{options.TextPrecision}'; use 'fp32' or 'int8'.");
        if (!Urm.Core.Features.Images.ImageEncoderOptions.TryParsePrecision(options.ImagePrecision, out _))
            return ValidateOptionsResult.Fail($"Onnx__ImagePrecision is '{options.ImagePrecision}'; use 'fp32' or 'int8'.");
        return options.IntraOpThreads is < 0 or > 256
            ? ValidateOptionsResult.Fail($"Onnx__IntraOpThreads is {options.IntraOpThreads}; use 0 (all cores) or a thread count such as 1.")
            : ValidateOptionsResult.Success;
    }

    public ValidateOptionsResult Validate(string? name, RetrievalOptions options)
        => options.ScanThreads is < 1 or > 64
            ? ValidateOptionsResult.Fail($"Retrieval__ScanThreads is {options.ScanThreads}; use 1 (each request scans on its own thread, the default) up to the instance's cores, for large catalogs.")
            : ValidateOptionsResult.Success;

    public ValidateOptionsResult Validate(string? name, CatalogStorageOptions options)
    {
        if (CatalogStorageOptions.ConnectionString(configuration) is not null) return ValidateOptionsResult.Success;
        if (options.BlobServiceUri is not { IsAbsoluteUri: true } uri || uri.Scheme is not ("https" or "http"))
            return ValidateOptionsResult.Fail("CatalogStorage__blobServiceUri must be the data account's blob endpoint, e.g. https://<account>.blob.core.windows.net (or, for the Azurite emulator only, set CatalogStorage to its connection string).");
        if (options.QueueServiceUri is not { IsAbsoluteUri: true } queues || queues.Scheme is not ("https" or "http"))
            return ValidateOptionsResult.Fail("CatalogStorage__queueServiceUri must be the data account's queue endpoint, e.g. https://<account>.queue.core.windows.net: catalog runs send their chunks there.");
        return ValidateOptionsResult.Success;
    }

    public ValidateOptionsResult Validate(string? name, LifecycleOptions options)
    {
        if (options.PollInterval < TimeSpan.FromSeconds(1) || options.PollInterval > TimeSpan.FromMinutes(10))
            return ValidateOptionsResult.Fail($"Lifecycle__PollInterval is {options.PollInterval}; use a time span from 00:00:01 to 00:10:00 (default 00:00:05): how late an instance may follow a model swap.");
        if (options.LockWait < TimeSpan.FromSeconds(1))
            return ValidateOptionsResult.Fail($"Lifecycle__LockWait is {options.LockWait}; use a time span of at least 00:00:01 (default 00:10:00), below the function timeout.");
        if (options.ChunkSize is < 1 or > 100_000)
            return ValidateOptionsResult.Fail($"Lifecycle__ChunkSize is {options.ChunkSize}; use 1 to 100000 changed items per chunk (default 2000: minutes of encoding on one instance).");
        if (string.IsNullOrWhiteSpace(options.RunsContainer))
            return ValidateOptionsResult.Fail("Lifecycle__RunsContainer is empty; set it to the blob container of chunked runs' files (default 'catalog-runs').");
        return string.IsNullOrWhiteSpace(options.FeaturesContainer)
            ? ValidateOptionsResult.Fail("Lifecycle__FeaturesContainer is empty; set it to the blob container of raw item features (default 'features').")
            : ValidateOptionsResult.Success;
    }
}
