namespace Urm.Core.Features.Text;

/// <summary>Turns texts into L2-normalised sentence vectors.</summary>
public interface ITextEncoder
{
    int Dimension { get; }

    float[][] Encode(IReadOnlyList<string> texts);
}
