namespace Urm.Core.Features.Images;

public sealed record ItemImageProblem(string ItemId, ImageProblem Problem);
