namespace Urm.Core.Features.Images;

/// <summary>Why an image reference gave no image vector.</summary>
public sealed record ImageProblem(string Reference, string Reason);
