namespace Urm.Infra.Tests;

[Collection(CompiledTemplatesCollection.Name)]
public sealed class CompileAndLintTests(CompiledTemplates compiled)
{
    public static TheoryData<string> Plans => new(CompiledTemplates.Plans);

    [Fact]
    public void Main_template_builds_without_diagnostics()
    {
        Assert.True(compiled.Build.ExitCode == 0, compiled.Build.Output);
        Assert.Equal("", compiled.Build.Output);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Parameter_file_builds_without_diagnostics(string plan)
    {
        var result = compiled.BuildParams[plan];
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("", result.Output);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Snapshot_has_no_diagnostics(string plan) =>
        Assert.Empty(compiled.Snapshots[plan].Diagnostics);

    [Fact]
    public void Every_bicep_and_bicepparam_file_lints_clean()
    {
        Assert.True(compiled.Lint.ExitCode == 0, compiled.Lint.Output);
        Assert.Equal("", compiled.Lint.Output);
    }
}
