using System.Diagnostics;
using System.Numerics.Tensors;
using Urm.Core.Cards;
using Urm.Core.Events;
using Urm.Core.Models.Runtime;
using Urm.Core.Retrieval;
using Urm.Core.Telemetry;

namespace Urm.Core.Serving;

/// <summary>
/// POST /api/recommend, GET /api/items/{id} and GET /api/health over one model and the current card
/// snapshot (DESIGN.md, "Data flow"): history ids -> cards, task -> prompt, user.onnx -> M user vectors,
/// exact scan, plus the model's repeat term and the package's co-occurrence boost for the tasks its
/// manifest lists (for search its text term and popularity prior), business rules
/// with over-fetch, and for each item the interest slot and nearest history item that explain it. Holds no per-request state: one instance serves concurrent requests, and a new
/// one is made (cheaply) for each activated model.
/// </summary>
public sealed class RecommendationService
{
    private readonly ServingModel _model;
    private readonly ICardSnapshotSource _cards;
    private readonly RecommendationOptions _options;
    private readonly RequestValidator _validator;
    private readonly UrmMetrics? _metrics;

    /// <param name="metrics">Where each answer's model and retrieval times go; null: not measured.</param>
    public RecommendationService(ServingModel model, ICardSnapshotSource cards, RecommendationOptions? options = null, UrmMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cards);
        _model = model;
        _cards = cards;
        _options = options ?? RecommendationOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.OverFetchFactor, 1);
        _validator = new RequestValidator(_options.Limits);
        _metrics = metrics;
    }

    /// <summary>The request's problems (empty when it can be served); the caller answers 400 with them.</summary>
    public IReadOnlyList<FieldError> Validate(RecommendRequest? request) => _validator.Validate(request);

    /// <summary>Validates the request, then answers it (<see cref="RecommendAsync(ValidRecommendRequest, CancellationToken)"/>).</summary>
    /// <exception cref="ArgumentException">The request has field errors: call <see cref="Validate"/> first.</exception>
    public Task<RecommendResponse> RecommendAsync(RecommendRequest request, CancellationToken cancellationToken)
    {
        if (!_validator.TryValidate(request, out var valid, out var errors))
            throw new ArgumentException("The request is invalid: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")), nameof(request));
        return RecommendAsync(valid, cancellationToken);
    }

    /// <summary>The top k items for a valid request; fewer only when fewer items meet its rules.</summary>
    /// <exception cref="ArgumentException">The request was validated against other limits than this service's.</exception>
    /// <exception cref="InvalidOperationException">The cards do not fit the model (another card dimension).</exception>
    public async Task<RecommendResponse> RecommendAsync(ValidRecommendRequest valid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(valid);
        if (valid.Limits != _options.Limits)
            throw new ArgumentException("The request was validated against other limits than this service serves with; validate it with this service's limits.", nameof(valid));
        var request = valid.Request;
        var started = Stopwatch.GetTimestamp();
        var snapshot = await _cards.GetAsync(cancellationToken).ConfigureAwait(false);
        CheckFits(snapshot);
        var matrix = snapshot.Matrix;
        var task = RecommendTasks.Normalize(request.Task)!;
        var k = request.K ?? _options.Limits.DefaultK;
        var rules = request.Rules;

        var unknown = new List<string>();
        var history = Resolve(matrix, request.History, unknown);
        var modelHistory = ModelHistory(matrix, task, request.AnchorItemId, history, unknown);

        var category = task == RecommendTasks.Category ? CatalogSpelling(request.Category!) : null;
        var query = task == RecommendTasks.Search ? request.Query : null;
        var modelStarted = Stopwatch.GetTimestamp();
        var prompt = _model.Prompts.Encode(task, category, query, request.Prompt);
        var sequence = new UserSequence(prompt, modelHistory.Select(h => new HistoryEntry(matrix.Row(h.Row).ToArray(), h.Event)).ToArray());
        var vectors = _model.Users.Encode(sequence, cancellationToken);
        var retrievalStarted = Stopwatch.GetTimestamp();

        var candidates = Rules(snapshot, task, category, rules, history, modelHistory);
        // The boost reads the whole known history (its newest `recent`), not only the model's newest L;
        // for similar, the anchor alone, as the model does (and as the trainer chose the weight for it).
        var boosts = _model.Package.CoOccurrence is { } table && table.AppliesTo(task)
            ? table.BoostRows(matrix, (task == RecommendTasks.Similar ? modelHistory : history).Select(h => h.Row).ToList())
            : null;
        // The repeat term is part of the model's score: it reads what the model read, modelHistory.
        var repeat = _model.Package.Repeat is { } term && term.AppliesTo(task) ? term.TermRows(modelHistory) : null;
        // Search with the model's text term or popularity prior scans the cards with their text and prior
        // appended (SearchTextTerm); rows, ids and rules are the same, and the explanation still compares cards alone.
        var (scanned, scanVectors) = query is not null && SearchScan(snapshot, query, vectors, modelHistory.Count > 0) is { } search ? search : (matrix, vectors);
        var retrieved = Retrieve(scanned, scanVectors, k, candidates, ScoreAdjustment.Combine(repeat, boosts), cancellationToken);

        var items = retrieved.Select(r => new RecommendedItem(
            matrix.Ids[r.Row], r.Score, snapshot.Documents[r.Row].Title, r.Interest, Because(matrix, r.Row, modelHistory))).ToArray();
        var finished = Stopwatch.GetTimestamp();
        _metrics?.Recommended(task, Stopwatch.GetElapsedTime(modelStarted, retrievalStarted), Stopwatch.GetElapsedTime(retrievalStarted, finished));
        return new RecommendResponse(items, unknown, _model.Version, Stopwatch.GetElapsedTime(started, finished).TotalMilliseconds,
            valid.StoredEvents, (request.History?.Count ?? 0) - valid.StoredEvents);
    }

    /// <summary>
    /// The matrix and user vectors a search scans when the model adds a text term or a popularity prior for
    /// this case (<see cref="CardSnapshot.SearchMatrix"/>); null otherwise (the model's score alone). The text
    /// term applies only where the cards keep text of the query's length; the prior applies regardless. The
    /// text term reads the query through the package's query map when it has one (<see cref="SearchQueryMap"/>).
    /// </summary>
    private (CardMatrix Matrix, float[] Vectors)? SearchScan(CardSnapshot snapshot, string query, float[] vectors, bool hasHistory)
    {
        if (_model.Package.Manifest.Search is not { } section) return null;
        var prior = _model.Package.Popularity;
        var weight = (float)section.WeightFor(hasHistory);
        var beta = prior is null ? 0f : prior.UserWeight(section.PopularityWeightFor(hasHistory));
        if ((weight == 0 && beta == 0) || snapshot.SearchMatrix(prior) is not { } search) return null;
        var d = snapshot.Matrix.Dimension;
        var textDimension = search.Dimension - d - (prior is null ? 0 : 1);
        var typed = weight == 0 ? null : _model.Prompts.EncodeTypedQuery(query);
        if (typed is not null && _model.Package.QueryMap is { } map && typed.Length == map.Dimension) typed = map.Apply(typed);
        if (typed is not null && typed.Length != textDimension)
        {
            if (beta == 0) return null;
            typed = null;   // cards with text of another encoder: the prior alone
        }
        return (search, SearchTextTerm.Append(vectors, d, typed ?? new float[textDimension], typed is null ? 0f : weight, prior is null ? null : beta));
    }

    /// <summary>
    /// What a first request would otherwise build while others wait: the embeddings of the manifest's prompt
    /// pieces and, for a model with a search section, the search matrix of the current cards.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _cards.GetAsync(cancellationToken).ConfigureAwait(false);
        await Task.Run(() =>
        {
            _model.Prompts.WarmUp(cancellationToken);
            if (_model.Package.Manifest.Search is not null) snapshot.SearchMatrix(_model.Package.Popularity);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The card document of a servable item, or null when the snapshot has none with that id.</summary>
    public async ValueTask<CardDocument?> GetItemAsync(string id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        var snapshot = await _cards.GetAsync(cancellationToken).ConfigureAwait(false);
        return snapshot.Matrix.TryGetRow(id.Trim(), out var row) ? snapshot.Documents[row] : null;
    }

    public async ValueTask<HealthReport> GetHealthAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _cards.GetAsync(cancellationToken).ConfigureAwait(false);
        return new HealthReport(_model.Version, snapshot.Matrix.Count, snapshot.CatalogVersion, snapshot.ModelVersion, _model.Package.Provider);
    }

    private void CheckFits(CardSnapshot snapshot)
    {
        if (snapshot.Documents.Count != snapshot.Matrix.Count)
            throw new InvalidOperationException($"The card snapshot (catalog version {snapshot.CatalogVersion}) has {snapshot.Matrix.Count} cards but {snapshot.Documents.Count} documents; they must be row for row.");
        if (snapshot.Matrix.Dimension != _model.Package.Sizes.DCard)
            throw new ServiceNotReadyException($"The cards (fused by model {snapshot.ModelVersion}) have {snapshot.Matrix.Dimension} values; model {_model.Version} takes sizes.dCard = {_model.Package.Sizes.DCard}. Re-fuse the cards with the active model.");
        // A request holds one model from start to end: cards fused by another (the host swapped models
        // after this request took its lease) would score in a space its user vectors do not live in.
        if (snapshot.ModelVersion != _model.Version)
            throw new ServiceNotReadyException($"The served cards were fused by model {snapshot.ModelVersion}; this request's model is {_model.Version} (a model swap is in progress).", TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// Known history items, oldest -> newest, with their event; unknown ids go to <paramref name="unknown"/>
    /// once each (an item may have been retired since the shopper saw it: not the caller's fault).
    /// Events are taken in the order sent, or by time when every event has a timestamp.
    /// </summary>
    private static List<(int Row, EventType Event)> Resolve(CardMatrix matrix, IReadOnlyList<HistoryEvent>? events, List<string> unknown)
    {
        var known = new List<(int, EventType)>();
        if (events is null || events.Count == 0) return known;
        var ordered = events.All(e => e.Timestamp is not null) ? events.OrderBy(e => e.Timestamp!.Value) : (IEnumerable<HistoryEvent>)events;
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in ordered)
        {
            var id = e.ItemId.Trim();
            if (!EventNames.TryParse(e.Event, out var type)) type = EventType.View;
            if (matrix.TryGetRow(id, out var row)) known.Add((row, type));
            else if (reported.Add(id)) unknown.Add(id);
        }
        return known;
    }

    /// <summary>
    /// What the user model reads: the most recent sizes.L known items; for <c>similar</c> the anchor
    /// alone, as in training (the anchorItemId, else the most recent history item).
    /// </summary>
    private List<(int Row, EventType Event)> ModelHistory(
        CardMatrix matrix, string task, string? anchorItemId, List<(int Row, EventType Event)> history, List<string> unknown)
    {
        if (task != RecommendTasks.Similar)
            return history.Skip(Math.Max(0, history.Count - _model.Package.Sizes.L)).ToList();
        if (string.IsNullOrWhiteSpace(anchorItemId))
            return history.Count == 0 ? [] : [history[^1]];
        var anchor = anchorItemId.Trim();
        if (matrix.TryGetRow(anchor, out var row)) return [(row, EventType.View)];
        if (!unknown.Contains(anchor, StringComparer.Ordinal)) unknown.Add(anchor);
        return [];
    }

    /// <summary>
    /// The category as the catalog (and so the model's prompt pieces) spells it, when the request names
    /// it with other case or spacing: the trained piece then applies instead of an untrained text.
    /// </summary>
    private string CatalogSpelling(string category)
    {
        var levels = CategoryPath.Levels(category);
        const string prefix = "category:";
        foreach (var piece in _model.Package.Manifest.Prompts)
        {
            if (!piece.Key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var known = CategoryPath.Levels(piece.Key[prefix.Length..]);
            if (known.Length == levels.Length && CategoryPath.IsUnder(known, levels)) return piece.Key[prefix.Length..];
        }
        return category.Trim();
    }

    private static CandidateRules Rules(
        CardSnapshot snapshot, string task, string? category, BusinessRules? rules,
        List<(int Row, EventType Event)> history, List<(int Row, EventType Event)> modelHistory)
    {
        var excluded = new HashSet<int>();
        if (rules?.ExcludeSeen ?? true)
            foreach (var (row, _) in history.Concat(modelHistory)) excluded.Add(row);
        foreach (var id in rules?.ExcludeIds ?? [])
            if (snapshot.Matrix.TryGetRow(id.Trim(), out var row)) excluded.Add(row);

        var allow = new List<IReadOnlyList<string>>();
        // The category task restricts the answer to its category, on top of any allow list.
        if (category is not null) allow.Add([category]);
        if (rules?.Categories is { Count: > 0 } categories) allow.Add(categories);
        IEnumerable<string> deny = rules?.ExcludeCategories ?? [];
        if (task == RecommendTasks.Explore)
            deny = deny.Concat(history.Select(h => snapshot.Documents[h.Row].Category).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase));

        return new CandidateRules(snapshot, rules?.AvailableOnly ?? true, excluded, allow, deny, rules?.PriceMin, rules?.PriceMax);
    }

    /// <summary>
    /// The top k rows by served score that pass every rule. Post-filters can drop what the scan kept, so
    /// the scan keeps k × OverFetchFactor; when that leaves fewer than k, every eligible row is scored
    /// instead (<see cref="RankEligible"/>): k items come back whenever k eligible items exist.
    /// With adjustments that may lower a score (a negative repeat term), each eligible lowered row may
    /// drop out of the top k and let one more row in, so the scan fetches that many more and must hold
    /// k plus that many eligible rows (<see cref="Served"/> says why that is enough).
    /// </summary>
    /// <param name="adjustments">Row -> repeat term and co-occurrence boost to add to the model's score; null when the task adds none.</param>
    private List<RetrievedItem> Retrieve(
        CardMatrix matrix, float[] vectors, int k, CandidateRules rules, Dictionary<int, ScoreAdjustment>? adjustments, CancellationToken cancellationToken)
    {
        var count = matrix.Count;
        var lowered = 0;
        if (adjustments is not null)
            foreach (var (row, adjustment) in adjustments)
                if (adjustment.MayLower && !rules.Excluded(row) && rules.Passes(row)) lowered++;
        var need = k + lowered;
        var fetch = (int)Math.Min(count, (rules.HasPostFilters ? (long)k * _options.OverFetchFactor : k) + lowered);
        cancellationToken.ThrowIfCancellationRequested();
        var top = SetRetriever.TopK(matrix, vectors, fetch, rules.Excluded, _options.ScanThreads);
        var kept = top.Where(r => rules.Passes(r.Row)).Take(need).ToList();
        // Fewer than asked from the scan means every eligible row was seen: nothing more to find. Otherwise the
        // rules dropped too much of it (a small category): scanning again keeping 4, 16, ... times more, up to
        // the whole catalog, cost such requests 50-100 ms under load, the load test's p99 (docs/BENCHMARKS.md,
        // "HTTP load", 2026-12-04). Scoring the eligible rows alone costs one pass over the rules.
        if (kept.Count < need && top.Length == fetch && fetch < count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            top = RankEligible(matrix, vectors, rules);
            kept = top.Take(need).ToList();
        }
        return adjustments is null || adjustments.Count == 0 ? kept : Served(matrix, vectors, k, rules, top, adjustments);
    }

    /// <summary>
    /// Every row that is neither excluded nor dropped by the rules, scored as the scan scores it
    /// (<see cref="SetRetriever.Score"/>, the same bits), best first, a tie to the lower row as in the scan:
    /// what a scan keeping the whole catalog would give after the rules.
    /// </summary>
    private static RetrievedItem[] RankEligible(CardMatrix matrix, float[] vectors, CandidateRules rules)
    {
        var m = vectors.Length / matrix.Dimension;
        var eligible = new List<RetrievedItem>();
        for (var row = 0; row < matrix.Count; row++)
        {
            if (rules.Excluded(row) || !rules.Passes(row)) continue;
            var (score, interest) = SetRetriever.Score(matrix.Row(row), vectors, m);
            eligible.Add(new RetrievedItem(row, score, interest));
        }
        eligible.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row.CompareTo(b.Row));
        return eligible.ToArray();
    }

    /// <summary>
    /// The top k by served score ((model score + repeat term) + boost, <see cref="ScoreAdjustment.Apply"/>)
    /// among the scan's <paramref name="top"/> and the adjusted rows. Why that is exact, with adjustments
    /// of either sign: let n be the eligible rows (not excluded, passing the rules) whose adjustment may
    /// lower their score (a negative repeat term). Every adjusted row is scored here exactly as the scan
    /// scores it (<see cref="SetRetriever.Score"/>, the same bits), then adjusted, whether the scan kept it
    /// or not; so only an unadjusted eligible row the scan left out could be missing, and its served score
    /// is its model score. Retrieve stops only once the scan holds k + n eligible rows, or every eligible
    /// row (<see cref="RankEligible"/>). In the second case nothing is left out. In the first, at most n of those k + n are lowered, so
    /// at least k of them are not: each has served ≥ model score (a boost ≥ 0 and a repeat term ≥ 0 cannot
    /// lower a float sum) ≥ the model (= served) score of any unadjusted row the scan left out, on a tie
    /// with the lower row, so no such row can enter the top k. Without a lowering adjustment n is 0 and
    /// the scan is the one the model's score alone takes. Ties keep the scan's order: the lower row first.
    /// </summary>
    private static List<RetrievedItem> Served(
        CardMatrix matrix, float[] vectors, int k, CandidateRules rules, RetrievedItem[] top, Dictionary<int, ScoreAdjustment> adjustments)
    {
        var m = vectors.Length / matrix.Dimension;
        var served = new List<RetrievedItem>(top.Length + adjustments.Count);
        var scanned = new HashSet<int>(top.Length);
        foreach (var r in top)
        {
            scanned.Add(r.Row);
            if (rules.Passes(r.Row)) served.Add(adjustments.TryGetValue(r.Row, out var adjustment) ? r with { Score = adjustment.Apply(r.Score) } : r);
        }
        foreach (var (row, adjustment) in adjustments)
        {
            if (scanned.Contains(row) || rules.Excluded(row) || !rules.Passes(row)) continue;
            var (score, interest) = SetRetriever.Score(matrix.Row(row), vectors, m);
            served.Add(new RetrievedItem(row, adjustment.Apply(score), interest));
        }
        served.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row.CompareTo(b.Row));
        return served.Count > k ? served.GetRange(0, k) : served;
    }

    /// <summary>The history item whose card is nearest (inner product) the result's card; ties go to the more recent.</summary>
    private static string? Because(CardMatrix matrix, int row, List<(int Row, EventType Event)> history)
    {
        if (history.Count == 0) return null;
        var card = matrix.Row(row);
        var best = history.Count - 1;
        var bestScore = float.NegativeInfinity;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var score = TensorPrimitives.Dot(card, matrix.Row(history[i].Row));
            if (score > bestScore) { bestScore = score; best = i; }
        }
        return matrix.Ids[history[best].Row];
    }
}
