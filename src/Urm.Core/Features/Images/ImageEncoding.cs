namespace Urm.Core.Features.Images;

/// <summary>The outcome for one image reference: a vector, or the problem that prevented one.</summary>
public sealed record ImageEncoding(float[]? Vector, ImageProblem? Problem);
