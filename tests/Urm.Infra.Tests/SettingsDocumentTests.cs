using System.Text.RegularExpressions;

namespace Urm.Infra.Tests;

/// <summary>docs/SETTINGS.md and the compiled templates name the same app settings.</summary>
[Collection(CompiledTemplatesCollection.Name)]
public sealed partial class SettingsDocumentTests(CompiledTemplates compiled)
{
    public static TheoryData<string> Plans => new(CompiledTemplates.Plans);

    [Theory]
    [MemberData(nameof(Plans))]
    public void Documented_settings_equal_the_template_settings(string plan)
    {
        var documented = DocumentedSettings();
        Assert.Equal(documented.Order(), compiled.Snapshots[plan].AppSettings.Keys.Order());
    }

    [Fact]
    public void Every_documented_setting_has_a_meaning_and_an_example()
    {
        foreach (var row in SettingsRows())
        {
            Assert.Equal(3, row.Length);
            Assert.All(row, cell => Assert.False(string.IsNullOrWhiteSpace(cell)));
        }
    }

    /// <summary>Setting names from the first column of the table under "## Settings".</summary>
    public static IReadOnlyList<string> DocumentedSettings() =>
        SettingsRows().Select(r => r[0].Trim('`')).ToList();

    private static IEnumerable<string[]> SettingsRows()
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root(), "docs", "SETTINGS.md"));
        var section = lines.SkipWhile(l => l.Trim() != "## Settings").Skip(1)
            .TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal));
        var rows = section.Where(l => l.TrimStart().StartsWith('|')).ToList();
        Assert.True(rows.Count > 2, "docs/SETTINGS.md has no settings table under '## Settings'.");
        Assert.Equal("| setting | meaning | example |", rows[0].Trim());
        return rows.Skip(2).Select(r => CellSeparator().Split(r.Trim().Trim('|')).Select(c => c.Trim()).ToArray());
    }

    // Table cells are separated by '|' that is not inside backticks (examples contain none).
    [GeneratedRegex(@"\|")]
    private static partial Regex CellSeparator();
}
