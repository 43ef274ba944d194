using Urm.Core.Text;

namespace Urm.Core.Tests.Text;

public sealed class QuotingTests
{
    [Theory]
    [InlineData("", 3, "")]
    [InlineData("abc", 3, "abc")]
    [InlineData("abcd", 3, "abc…")]
    [InlineData("abcd", 0, "…")]
    public void A_value_over_the_limit_keeps_its_start_and_ends_in_an_ellipsis(string value, int max, string expected)
        => Assert.Equal(expected, Quoting.Shorten(value, max));

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        // "a😀b": the emoji is two chars; a cut after 2 chars would keep only its high half.
        var shortened = Quoting.Shorten("a\U0001F600b", 2);

        Assert.Equal("a…", shortened);
    }

    [Fact]
    public void A_negative_limit_is_a_bug_of_the_caller()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Quoting.Shorten("abc", -1));
}
