using System.Xml.Linq;

namespace Urm.Functions.Tests;

/// <summary>
/// The app carries the serving path only: the offline tools (Urm.Offline: import, samples, training,
/// evaluation) are the `urm` command's, and no project the app builds from references them.
/// </summary>
public sealed class ProjectReferenceTests
{
    private const string Offline = "Urm.Offline";

    [Fact]
    public void No_project_the_app_builds_from_references_the_offline_tools()
    {
        var app = Path.Combine(Repository.Root(), "src", "Urm.Functions", "Urm.Functions.csproj");
        var projects = References(app);
        Assert.Contains(projects, p => Path.GetFileNameWithoutExtension(p) == "Urm.Core");
        Assert.DoesNotContain(projects, p => Path.GetFileNameWithoutExtension(p) == Offline);
    }

    [Fact]
    public void The_app_output_has_no_offline_assembly()
    {
        var output = Repository.AppOutput();
        Assert.True(File.Exists(Path.Combine(output, "Urm.Core.dll")), $"no Urm.Core.dll in {output}: build the app first");
        Assert.False(File.Exists(Path.Combine(output, Offline + ".dll")));
        Assert.DoesNotContain(Offline, File.ReadAllText(Path.Combine(output, "Urm.Functions.deps.json")));
    }

    /// <summary>Every project <paramref name="project"/> references, directly or through another, as full paths.</summary>
    private static HashSet<string> References(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
            foreach (var include in XDocument.Load(current).Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include")))
            {
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, include!.Replace('\\', '/')));
                if (seen.Add(path)) pending.Push(path);
            }
        return seen;
    }
}
