namespace Urm.Functions.Options;

/// <summary>Settings <c>Models__*</c>: where model packages (<c>&lt;version&gt;/</c> folders and <c>active.json</c>) are.</summary>
public sealed class ModelsOptions
{
    public const string Section = "Models";

    public string Container { get; set; } = "models";
}
