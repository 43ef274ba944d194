namespace Urm.Functions.Tests;

internal static class Repository
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Functions.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>The app's build output of the same configuration as this test run (bin/&lt;Configuration&gt;/net10.0).</summary>
    public static string AppOutput()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        return Path.Combine(Root(), "src", "Urm.Functions", "bin", configuration, framework.Name);
    }
}
