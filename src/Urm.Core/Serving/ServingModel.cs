using Urm.Core.Features.Text;
using Urm.Core.Models.Package;
using Urm.Core.Models.Runtime;
using Urm.Core.Prompts;

namespace Urm.Core.Serving;

/// <summary>
/// One active model as serving uses it: the package (graphs + manifest), its user encoder and its prompt
/// encoder. Whoever activates models (a model host) hands this out for as long as a request holds it.
/// </summary>
public sealed record ServingModel(ModelPackage Package, UserEncoder Users, PromptEncoder Prompts)
{
    public string Version => Package.Version;

    /// <summary>The encoders of <paramref name="package"/>, with <paramref name="text"/> (all-MiniLM-L6-v2 in production) for prompts.</summary>
    public static ServingModel Create(ModelPackage package, ITextEncoder text)
    {
        ArgumentNullException.ThrowIfNull(package);
        return new ServingModel(package, new UserEncoder(package), new PromptEncoder(package.Manifest, text));
    }
}
