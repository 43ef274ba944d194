namespace Urm.Cli.Tests;

public class ImportCommandTests
{
    [Fact]
    public async Task Import_without_the_data_set_files_says_what_is_missing()
    {
        var empty = Directory.CreateTempSubdirectory("urm-import").FullName;

        var (exitCode, _, errors) = await CliRun.InvokeAsync("import", "movielens", empty, "--out", empty);

        Assert.Equal(1, exitCode);
        Assert.Contains("'u.item' was not found", errors);
    }
}
