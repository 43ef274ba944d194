using Urm.Core.Cards;
using Urm.Core.Events;
using Urm.Core.Features;
using Urm.Core.Features.Attributes;
using Urm.Core.Features.Images;
using Urm.Core.Features.Text;
using Urm.Core.Models.Package;
using Urm.Core.Serving;

namespace Urm.Core.Models.Runtime;

/// <summary>
/// Holds the active model package. <see cref="ActivateAsync"/> loads, validates and warms up a new one
/// before swapping it in atomically; callers take a <see cref="ModelLease"/> per piece of work, so a swap
/// never disturbs work in flight, and the old package is disposed when its last lease comes back.
/// </summary>
public sealed class ModelHost : IDisposable
{
    private readonly ModelHostOptions _options;
    private readonly SemaphoreSlim _activation = new(1, 1);
    private ActiveModel? _active;

    public ModelHost(ModelHostOptions? options = null) => _options = options ?? ModelHostOptions.Default;

    /// <summary>The active model's version, or null before the first activation.</summary>
    public string? ActiveVersion => Volatile.Read(ref _active)?.Package.Version;

    /// <summary>The card space of the active model: which stored cards are servable now.</summary>
    public CardSpace? CardSpace => Volatile.Read(ref _active) is { } model ? new CardSpace(model.Package.Version, model.Package.Sizes.DCard) : null;

    /// <summary>
    /// The active model's version and the cards of its current snapshot, as read last (no store read here);
    /// null before a model is activated with cards.
    /// </summary>
    public (string ModelVersion, int Cards)? ServedCards
        => Volatile.Read(ref _active) is { Cards.Current: { } snapshot } model ? (model.Package.Version, snapshot.Matrix.Count) : null;

    /// <summary>Loads the package in <paramref name="directory"/>, validates and warms it up, then makes it the active one, without cards (for encoding).</summary>
    /// <returns>The new active version.</returns>
    /// <exception cref="ModelPackageException">The package cannot be served; the active model (if any) stays active.</exception>
    public Task<string> ActivateAsync(string directory, CancellationToken cancellationToken)
        => ActivateAsync(directory, cards: null, cancellationToken);

    /// <summary>
    /// Loads the package in <paramref name="directory"/>, validates and warms it up, then makes it the
    /// active one together with <paramref name="cards"/>, the card set it serves: model and cards swap
    /// in one step, and a lease holds the pair.
    /// </summary>
    /// <param name="cards">The store of this model's cards (its card set); null for a host that only encodes.</param>
    /// <inheritdoc cref="ActivateAsync(string, CancellationToken)"/>
    public async Task<string> ActivateAsync(string directory, ICardStore? cards, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        // Loading and warming run ONNX Runtime synchronously for a while: off the caller's thread.
        var package = await Task.Run(() => ModelPackage.Load(directory, _options.Session), cancellationToken).ConfigureAwait(false);
        ActiveModel candidate;
        try
        {
            CheckServingFeatures(package);
            candidate = new ActiveModel(package, _options, cards);
            await Task.Run(() => WarmUp(candidate, cancellationToken), cancellationToken).ConfigureAwait(false);
            // The cards are loaded before the swap, not by the first request after it: a swap on a large
            // set would otherwise make the first shoppers wait for the whole read.
            if (candidate.Cards is { } index) await index.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            package.Dispose();
            throw;
        }

        // One activation at a time, so two swaps cannot both release the same predecessor. Not cancelled:
        // the swap itself is instant, and a candidate dropped here would leak its sessions and cards.
        await _activation.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var previous = Interlocked.Exchange(ref _active, candidate);
            previous?.Release();
        }
        finally
        {
            _activation.Release();
        }
        return package.Version;
    }

    /// <summary>A lease on the active model; dispose it when the work is done.</summary>
    /// <exception cref="InvalidOperationException">No model has been activated yet.</exception>
    public ModelLease Acquire()
    {
        while (true)
        {
            var model = Volatile.Read(ref _active) ?? throw new ServiceNotReadyException("No model is active yet: activate a model package (models/<version>/ with models/active.json) first.");
            // A swap can release this model between the read and the reference: then read the new one.
            if (model.TryAddReference()) return new ModelLease(model);
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _active, null)?.Release();
        _activation.Dispose();
    }

    /// <summary>
    /// The package's sizes must match the features the serving path extracts (MiniLM, ResNet18, the
    /// hashed attribute and price buckets); otherwise every card would fail to fuse after the swap, so
    /// the package is refused while the old one still serves.
    /// </summary>
    private static void CheckServingFeatures(ModelPackage package)
    {
        var sizes = package.Sizes;
        var manifest = Path.Combine(package.Directory, ModelPackage.ManifestFile);
        const string remedy = "Train the model on features written by `urm features` (the serving path extracts the same)";
        if (sizes.TextDim != TextEncoder.ModelDimension)
            throw new ModelPackageException(manifest, $"sizes.textDim is {sizes.TextDim}, but the serving text encoder gives {TextEncoder.ModelDimension}", remedy);
        if (sizes.ImageDim != ImageEncoder.ModelDimension)
            throw new ModelPackageException(manifest, $"sizes.imageDim is {sizes.ImageDim}, but the serving image encoder gives {ImageEncoder.ModelDimension}", remedy);
        if (sizes.AttributeBuckets != AttributeTokens.Buckets)
            throw new ModelPackageException(manifest, $"sizes.attributeBuckets is {sizes.AttributeBuckets}, but attribute tokens are hashed into {AttributeTokens.Buckets}", remedy);
        if (sizes.PriceBuckets != PriceBucket.Count)
            throw new ModelPackageException(manifest, $"sizes.priceBuckets is {sizes.PriceBuckets}, but prices are bucketed into {PriceBucket.Count}", remedy);
    }

    /// <summary>
    /// One fusion and one user pass on dummy inputs: ONNX Runtime's first run allocates and optimises,
    /// and a graph that loads but cannot run fails here, not on the first shopper's request.
    /// </summary>
    private static void WarmUp(ActiveModel model, CancellationToken cancellationToken)
    {
        var sizes = model.Package.Sizes;
        var text = new float[sizes.TextDim];
        text[0] = 1f;
        var dummy = new ItemFeatures("warm-up", "warm-up", text, new float[sizes.ImageDim], [1], 0);
        var file = Path.Combine(model.Package.Directory, ModelPackage.ManifestFile);
        try
        {
            var card = model.Fuser.Fuse([dummy], cancellationToken);
            var vectors = model.Users.Encode(new UserSequence(text, [new HistoryEntry(card, EventType.View)]), cancellationToken);
            if (card.Any(v => !float.IsFinite(v)) || vectors.Any(v => !float.IsFinite(v)))
                throw new ModelPackageException(file, "the warm-up produced non-finite values (NaN or infinity)", "Check the training run; re-export the model");
        }
        catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or ArgumentException)
        {
            throw new ModelPackageException(file, $"the warm-up run failed: {e.Message}", "Re-export the model with the trainer that matches this service", e);
        }
    }
}
