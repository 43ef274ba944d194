namespace Urm.Tests;

// The shared part (Root) is tests/Shared/Repository.cs; only these tests read the app's build output.
internal static partial class Repository
{
    /// <summary>The app's build output of the same configuration as this test run (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string AppOutput()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        return Path.Combine(Root(), "src", "Urm.Functions", "bin", configuration, framework.Name);
    }
}
