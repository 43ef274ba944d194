using System.Globalization;
using Urm.Core.Cards;
using Urm.Core.Text;

namespace Urm.Core.Experiments;

/// <summary>
/// A traffic split between model versions (settings <c>Experiment__*</c>, docs/EXPERIMENTS.md): each shopper
/// is assigned an arm by a fixed hash of their id (<see cref="ArmHash"/>), so they see one model for as long
/// as the experiment runs, on every instance and across restarts.
/// </summary>
public sealed class Experiment
{
    /// <summary>Arms are named A to Z.</summary>
    public const int MaxArms = 26;

    /// <summary>How far the shares may sum from 1 (rounding in decimal shares such as 1/3).</summary>
    public const double ShareTolerance = 1e-9;

    private Experiment(string salt, IReadOnlyList<ExperimentArm> arms) => (Salt, Arms) = (salt, arms);

    /// <summary>What the hash mixes in before the shopper's key: a new salt reshuffles every shopper.</summary>
    public string Salt { get; }

    /// <summary>The arms in the order the setting lists them; the first (A) is the control the others are compared with.</summary>
    public IReadOnlyList<ExperimentArm> Arms { get; }

    /// <summary>
    /// The experiment <paramref name="arms"/> describes ("<c>&lt;modelVersion&gt;=&lt;share&gt;,…</c>"), salted with
    /// <paramref name="salt"/>, or by default with the arms' model versions joined by commas: the same arms keep
    /// every shopper where they were, while an experiment on other models reshuffles them.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not a valid split; the message lists every problem.</exception>
    public static Experiment Parse(string arms, string? salt = null)
        => TryParse(arms, salt, out var experiment, out var problems) ? experiment! : throw new ArgumentException(string.Join(" ", problems), nameof(arms));

    /// <summary><see cref="Parse"/> without throwing: the problems each name <c>Experiment__Arms</c> and what to write there.</summary>
    public static bool TryParse(string? arms, string? salt, out Experiment? experiment, out IReadOnlyList<string> problems)
    {
        var found = new List<string>();
        var parsed = new List<(string Version, double Share)>();
        var entries = (arms ?? "").Split(',', StringSplitOptions.TrimEntries);
        foreach (var entry in entries)
        {
            var equals = entry.LastIndexOf('=');
            if (equals < 0)
            {
                found.Add($"Experiment__Arms entry '{Quoting.Shorten(entry, 60)}' is not '<modelVersion>=<share>', e.g. 'm-2026-12-01=0.5'.");
                continue;
            }
            var version = entry[..equals].Trim();
            var shareText = entry[(equals + 1)..].Trim();
            if (version.Length == 0)
                found.Add($"Experiment__Arms entry '{Quoting.Shorten(entry, 60)}' names no model version before '='.");
            else if (CardSetProblem(version) is { } problem)
                found.Add($"Experiment__Arms: model version '{Quoting.Shorten(version, 60)}' cannot name its arm's card set: {problem}");
            if (!double.TryParse(shareText, NumberStyles.Float, CultureInfo.InvariantCulture, out var share) || !double.IsFinite(share) || share <= 0 || share > 1)
                found.Add($"Experiment__Arms entry '{Quoting.Shorten(entry, 60)}' has share '{Quoting.Shorten(shareText, 20)}'; a share is a number above 0 and at most 1, e.g. 0.5.");
            else if (version.Length > 0) parsed.Add((version, share));
        }
        if (found.Count == 0)
        {
            if (parsed.Count < 2)
                found.Add($"Experiment__Arms names {parsed.Count} arm; an experiment needs two or more ('<versionA>=0.5,<versionB>=0.5'). To serve one model, leave it unset.");
            if (parsed.Count > MaxArms)
                found.Add($"Experiment__Arms names {parsed.Count} arms; at most {MaxArms} (A to Z).");
            foreach (var twice in parsed.GroupBy(p => p.Version, StringComparer.Ordinal).Where(g => g.Count() > 1))
                found.Add($"Experiment__Arms names model version '{Quoting.Shorten(twice.Key, 60)}' {twice.Count()} times; each arm serves a model of its own.");
            var sum = parsed.Sum(p => p.Share);
            if (Math.Abs(sum - 1) > ShareTolerance)
                found.Add(string.Create(CultureInfo.InvariantCulture, $"Experiment__Arms shares sum to {sum:G12}; they must sum to 1 (within {ShareTolerance:0e0})."));
        }

        problems = found;
        if (found.Count > 0)
        {
            experiment = null;
            return false;
        }
        var named = parsed.Select((p, i) => new ExperimentArm(((char)('A' + i)).ToString(), p.Version, p.Share)).ToList();
        experiment = new Experiment(string.IsNullOrWhiteSpace(salt) ? string.Join(",", parsed.Select(p => p.Version)) : salt, named);
        return true;
    }

    /// <summary>
    /// What a shopper is hashed on: <c>user:</c> and the userId when there is one (a signed-in shopper keeps
    /// their arm on every device), else <c>session:</c> and the sessionId; null for a request with neither.
    /// </summary>
    public static string? ShopperKey(string? userId, string? sessionId)
    {
        if (!string.IsNullOrWhiteSpace(userId)) return "user:" + userId.Trim();
        if (!string.IsNullOrWhiteSpace(sessionId)) return "session:" + sessionId.Trim();
        return null;
    }

    /// <summary>
    /// The shopper's arm; null for a request with neither id (a history alone), which is no shopper to
    /// follow: the caller serves it outside the experiment.
    /// </summary>
    public ExperimentArm? Assign(string? userId, string? sessionId)
        => ShopperKey(userId, sessionId) is { } key ? ArmAt(ArmHash.Position(Salt, key)) : null;

    /// <summary>The arm whose slice of [0, 1) holds <paramref name="position"/>: A takes [0, share A), B the next share, and so on.</summary>
    public ExperimentArm ArmAt(double position)
    {
        var upper = 0.0;
        for (var i = 0; i < Arms.Count - 1; i++)
        {
            upper += Arms[i].Share;
            if (position < upper) return Arms[i];
        }
        // The last arm takes the rest, so shares that sum to 1 - 1e-10 leave no shopper without an arm.
        return Arms[^1];
    }

    private static string? CardSetProblem(string version)
    {
        try
        {
            // An arm's cards are the card set named after its model version, so the version must be a set name.
            CardSetNames.Check(version, nameof(version));
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message.Split(" (Parameter", 2)[0];
        }
    }
}
