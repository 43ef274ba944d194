namespace Urm.Core.Features;

public sealed record ItemImageProblem(string ItemId, ImageProblem Problem);
