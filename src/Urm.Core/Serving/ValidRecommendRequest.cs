namespace Urm.Core.Serving;

/// <summary>
/// A <see cref="RecommendRequest"/> that <see cref="RequestValidator"/> found servable: only the validator
/// makes one, so a request is validated once however many layers it passes (the HTTP handler answers 400
/// with the errors; the service takes this and does not check again).
/// </summary>
public sealed class ValidRecommendRequest
{
    internal ValidRecommendRequest(RecommendRequest request, ServingLimits limits) => (Request, Limits) = (request, limits);

    public RecommendRequest Request { get; }

    /// <summary>The limits it was checked against.</summary>
    public ServingLimits Limits { get; }
}
