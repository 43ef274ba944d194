namespace Urm.Core.Features.Images;

/// <summary>Receives the items whose image could not be used, for the run's report.</summary>
public interface IImageProblemSink
{
    void Report(string itemId, ImageProblem problem);
}
