using Urm.Core.Cards;
using Urm.Core.Models.Package;
using Urm.Core.Serving;

namespace Urm.Core.Models.Runtime;

/// <summary>
/// The model a caller works with from start to end of one piece of work (a request, an encoding run),
/// even if another model is activated meanwhile. Dispose it when done; the package it holds is freed
/// only after its last lease is returned.
/// </summary>
public sealed class ModelLease : IDisposable
{
    private ActiveModel? _model;

    internal ModelLease(ActiveModel model) => _model = model;

    public ModelPackage Package => Model.Package;
    public string Version => Model.Package.Version;
    public CardFuser Fuser => Model.Fuser;
    public UserEncoder Users => Model.Users;

    /// <summary>The card set activated together with this model: the lease holds both until it is disposed.</summary>
    /// <exception cref="ServiceNotReadyException">The model was activated without cards (an encoding-only host).</exception>
    public ICardSnapshotSource Cards => Model.Cards
        ?? throw new ServiceNotReadyException($"Model {Version} was activated without a card store, so it serves no cards.");

    private ActiveModel Model => _model ?? throw new ObjectDisposedException(nameof(ModelLease));

    public void Dispose() => Interlocked.Exchange(ref _model, null)?.Release();
}
