using Urm.Core.Kpi;

namespace Urm.Core.Tests.Kpi;

public sealed class KpiQueryTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 8, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Without_from_and_to_the_range_is_the_last_seven_days()
    {
        Assert.True(KpiQuery.TryParse(null, null, Now, out var range, out _));
        Assert.Equal((Now.AddDays(-7), Now), range);
    }

    [Fact]
    public void Dates_and_times_without_an_offset_are_utc_and_offsets_are_honoured()
    {
        Assert.True(KpiQuery.TryParse("2026-05-01", "2026-05-02T02:00:00+02:00", Now, out var range, out _));
        Assert.Equal((new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 5, 2, 0, 0, 0, TimeSpan.Zero)), range);
    }

    [Theory]
    [InlineData("yesterday", null, "from")]
    [InlineData(null, "2026-13-01", "to")]
    [InlineData("5", null, "from")]
    [InlineData("2026-05-02", "2026-05-01", "from")]
    [InlineData("2024-01-01", "2026-01-01", "from")]
    public void A_bad_or_empty_range_names_the_field(string? from, string? to, string field)
    {
        Assert.False(KpiQuery.TryParse(from, to, Now, out _, out var errors));
        Assert.Equal(field, Assert.Single(errors).Field);
    }
}
