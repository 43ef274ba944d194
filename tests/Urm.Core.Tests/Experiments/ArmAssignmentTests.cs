using Urm.Core.Experiments;

namespace Urm.Core.Tests.Experiments;

/// <summary>Which arm a shopper lands in: fixed by a salted SHA-256 of their id, in the shares the setting asks for.</summary>
public sealed class ArmAssignmentTests
{
    private static readonly IReadOnlyList<string> Users = Enumerable.Range(0, 100_000).Select(i => $"u-{i}").ToList();

    [Fact]
    public void The_position_is_the_salted_sha256_fixed_across_processes()
    {
        // Computed outside .NET (Python: sha256(b"5:exp-1user:u-17"), first 8 bytes big-endian >> 11, / 2**53):
        // a per-process seeded hash such as string.GetHashCode could not give these.
        Assert.Equal(2759291117115081 / 9007199254740992.0, ArmHash.Position("exp-1", "user:u-17"));
        Assert.Equal(7307506153528033 / 9007199254740992.0, ArmHash.Position("m1,m2", "session:s-9"));
    }

    [Fact]
    public void The_same_shopper_lands_in_the_same_arm_in_every_instance_of_the_experiment()
    {
        var first = Experiment.Parse("m1=0.5,m2=0.5");
        var second = Experiment.Parse(" m1 = 0.5 , m2 = 0.5 ");
        Assert.All(Users.Take(1_000), u => Assert.Equal(first.Assign(u, null), second.Assign(u, null)));
        // Ids are trimmed as the recommendation record trims them.
        Assert.Equal(first.Assign("u-3", null), first.Assign("  u-3 ", null));
    }

    [Theory]
    [InlineData(new[] { 0.5, 0.5 })]
    [InlineData(new[] { 0.1, 0.9 })]
    [InlineData(new[] { 0.2, 0.3, 0.5 })]
    public void Shares_are_respected_on_100000_users(double[] shares)
    {
        var experiment = Experiment.Parse(string.Join(",", shares.Select((s, i) => FormattableString.Invariant($"m{i}={s}"))));
        var counts = Users.GroupBy(u => experiment.Assign(u, null)!.Name).ToDictionary(g => g.Key, g => g.Count());
        for (var i = 0; i < shares.Length; i++)
        {
            // Binomial standard deviation at most sqrt(100000 * 0.25) = 158 users; 0.01 is 1,000 users, over 6 of them.
            var share = counts[((char)('A' + i)).ToString()] / (double)Users.Count;
            Assert.InRange(share, shares[i] - 0.01, shares[i] + 0.01);
        }
    }

    [Fact]
    public void Another_salt_reshuffles_the_shoppers()
    {
        var one = Experiment.Parse("m1=0.5,m2=0.5", salt: "spring");
        var other = Experiment.Parse("m1=0.5,m2=0.5", salt: "summer");
        var moved = Users.Count(u => one.Assign(u, null) != other.Assign(u, null)) / (double)Users.Count;
        // Independent hashes put half of a 50/50 split in the other arm.
        Assert.InRange(moved, 0.49, 0.51);
    }

    [Fact]
    public void The_default_salt_is_the_arms_versions_so_other_models_reshuffle_and_a_new_split_of_the_same_does_not()
    {
        var even = Experiment.Parse("m1=0.5,m2=0.5");
        Assert.Equal("m1,m2", even.Salt);
        // Ramping m2 up from 10 % to 50 % moves only shoppers from A to B, never back.
        var ramp = Experiment.Parse("m1=0.9,m2=0.1");
        Assert.All(Users.Take(5_000).Where(u => ramp.Assign(u, null)!.Name == "B"), u => Assert.Equal("B", even.Assign(u, null)!.Name));
        var others = Experiment.Parse("m3=0.5,m4=0.5");
        Assert.InRange(Users.Take(10_000).Count(u => others.Assign(u, null)!.Name != even.Assign(u, null)!.Name), 4_500, 5_500);
    }

    [Fact]
    public void A_signed_in_shopper_is_hashed_on_the_user_an_anonymous_one_on_the_session_and_neither_has_no_arm()
    {
        var experiment = Experiment.Parse("m1=0.5,m2=0.5");
        Assert.Equal(experiment.ArmAt(ArmHash.Position("m1,m2", "user:u-8")), experiment.Assign("u-8", "s-1"));
        Assert.Equal(experiment.ArmAt(ArmHash.Position("m1,m2", "session:s-1")), experiment.Assign(null, "s-1"));
        Assert.Equal(experiment.ArmAt(ArmHash.Position("m1,m2", "session:s-1")), experiment.Assign(" ", "s-1"));
        Assert.Null(experiment.Assign(null, null));
        // A user and a session of the same name are different shoppers.
        Assert.NotEqual(ArmHash.Position("m1,m2", "user:x"), ArmHash.Position("m1,m2", "session:x"));
    }

    [Fact]
    public void Arms_are_named_in_order_and_take_consecutive_slices()
    {
        var experiment = Experiment.Parse("m1=0.25,m2=0.25,m3=0.5");
        Assert.Equal([("A", "m1"), ("B", "m2"), ("C", "m3")], experiment.Arms.Select(a => (a.Name, a.ModelVersion)));
        Assert.Equal("A", experiment.ArmAt(0).Name);
        Assert.Equal("A", experiment.ArmAt(0.2499).Name);
        Assert.Equal("B", experiment.ArmAt(0.25).Name);
        Assert.Equal("C", experiment.ArmAt(0.5).Name);
        Assert.Equal("C", experiment.ArmAt(0.9999999).Name);
    }
}
