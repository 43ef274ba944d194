using Urm.Core.Experiments;

namespace Urm.Core.Tests.Experiments;

/// <summary>Experiment__Arms is checked at start: every problem is named, with what to write instead.</summary>
public sealed class ExperimentSettingTests
{
    [Theory]
    [InlineData("m1=0.5", "needs two or more")]
    [InlineData("m1=0.5,m2=0.4", "sum to 0.9")]
    [InlineData("m1=0.6,m2=0.6", "sum to 1.2")]
    [InlineData("m1=0.5,m1=0.5", "'m1' 2 times")]
    [InlineData("m1=0,m2=1", "share '0'")]
    [InlineData("m1=-0.5,m2=1.5", "share '-0.5'")]
    [InlineData("m1=half,m2=0.5", "share 'half'")]
    [InlineData("m1=NaN,m2=0.5", "share 'NaN'")]
    [InlineData("m1,m2", "is not '<modelVersion>=<share>'")]
    [InlineData("=0.5,m2=0.5", "names no model version")]
    [InlineData("m|1=0.5,m2=0.5", "cannot name its arm's card set")]
    public void A_bad_split_is_refused_naming_the_setting_and_the_problem(string arms, string problem)
    {
        var options = new ExperimentOptions { Arms = arms };
        var problems = options.Problems().ToList();
        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.StartsWith("Experiment__Arms", p));
        Assert.Contains(problems, p => p.Contains(problem, StringComparison.Ordinal));
        var error = Assert.Throws<ArgumentException>(() => options.ToExperiment());
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shares_that_sum_to_one_within_1e_9_are_taken()
    {
        var thirds = new ExperimentOptions { Arms = "m1=0.3333333333,m2=0.3333333333,m3=0.3333333334" };
        Assert.Empty(thirds.Problems());
        Assert.Equal(3, thirds.ToExperiment()!.Arms.Count);
        Assert.NotEmpty(new ExperimentOptions { Arms = "m1=0.333333,m2=0.333333,m3=0.333333" }.Problems());
    }

    [Fact]
    public void No_arms_is_no_experiment_and_the_salt_is_taken_as_set()
    {
        Assert.Null(new ExperimentOptions().ToExperiment());
        Assert.Null(new ExperimentOptions { Arms = " " }.ToExperiment());
        Assert.Empty(new ExperimentOptions().Problems());
        Assert.Equal("winter-test", new ExperimentOptions { Arms = "m1=0.5,m2=0.5", Salt = "winter-test" }.ToExperiment()!.Salt);
    }
}
