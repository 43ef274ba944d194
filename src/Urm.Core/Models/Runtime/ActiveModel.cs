using Urm.Core.Cards;
using Urm.Core.Models.Package;

namespace Urm.Core.Models.Runtime;

/// <summary>
/// One loaded package with its fuser and user encoder, reference counted: the host holds one reference
/// while it is active and every lease one more; the package is disposed when the count reaches zero, so
/// a swap never pulls a session from under a request that is still using it.
/// </summary>
internal sealed class ActiveModel
{
    private int _references = 1;

    public ActiveModel(ModelPackage package, ModelHostOptions options, ICardStore? cards)
    {
        Package = package;
        Fuser = new CardFuser(package, options.FusionBatchSize);
        Users = new UserEncoder(package, options.UserBatchSize);
        // The index serves only this model's card space, whatever else the store holds: a lease hands out
        // the model and these cards together, so no request scores one model's users against another's cards.
        var space = new CardSpace(package.Version, package.Sizes.DCard);
        Cards = cards is null ? null : new CardIndex(cards, space, options.Cards);
    }

    public ModelPackage Package { get; }
    public CardFuser Fuser { get; }
    public UserEncoder Users { get; }

    /// <summary>The cards this model serves; null when it was activated without a card store (encoding only).</summary>
    public CardIndex? Cards { get; }

    /// <summary>Adds a reference unless the model has already been released for good.</summary>
    public bool TryAddReference()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0) return false;
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current) return true;
        }
    }

    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            Cards?.Dispose();
            Package.Dispose();
        }
        else if (left < 0) throw new InvalidOperationException("A model reference was released twice.");
    }
}
