namespace Urm.Tests;

/// <summary>
/// Where the repository's committed files are (docs, bicep, host.json, the trainer). Linked as source
/// into each test project that reads them, so every project finds the root the same way.
/// </summary>
internal static partial class Repository
{
    /// <summary>The folder that holds Functions.sln, found upwards from the test output (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Functions.sln above {AppContext.BaseDirectory}.");
    }
}
