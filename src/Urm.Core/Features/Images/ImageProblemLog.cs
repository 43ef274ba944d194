using System.Collections.Concurrent;

namespace Urm.Core.Features.Images;

/// <summary>Keeps reported image problems in memory, in arrival order, for a run report.</summary>
public sealed class ImageProblemLog : IImageProblemSink
{
    private readonly ConcurrentQueue<ItemImageProblem> _problems = new();

    public IReadOnlyCollection<ItemImageProblem> Problems => _problems;

    public void Report(string itemId, ImageProblem problem) => _problems.Enqueue(new ItemImageProblem(itemId, problem));
}
