using System.Diagnostics.CodeAnalysis;
using Urm.Core.Events;
using Urm.Core.Text;

namespace Urm.Core.Serving;

/// <summary>
/// Checks a <see cref="RecommendRequest"/> before any work is done. Every problem is collected (not just
/// the first), as data, so the caller can answer 400 with the whole list and the client can fix it in one go.
/// </summary>
public sealed class RequestValidator(ServingLimits? limits = null)
{
    private static readonly string KnownTasks = string.Join(", ", RecommendTasks.All);

    public ServingLimits Limits { get; } = limits ?? ServingLimits.Default;

    /// <summary>Checks the request once: either it is servable (<paramref name="valid"/>) or <paramref name="errors"/> says every problem.</summary>
    public bool TryValidate(RecommendRequest? request, [NotNullWhen(true)] out ValidRecommendRequest? valid, out IReadOnlyList<FieldError> errors)
    {
        errors = Validate(request);
        valid = errors.Count == 0 ? new ValidRecommendRequest(request!, Limits) : null;
        return valid is not null;
    }

    /// <summary>The request's problems; empty when it can be served.</summary>
    public IReadOnlyList<FieldError> Validate(RecommendRequest? request)
    {
        var errors = new List<FieldError>();
        if (request is null)
        {
            errors.Add(new FieldError("", "The body must be a JSON object with a history or a task input (see POST /api/recommend)."));
            return errors;
        }

        OptionalId(errors, "userId", request.UserId);
        OptionalId(errors, "sessionId", request.SessionId);
        History(errors, request.History);
        var task = RecommendTasks.Normalize(request.Task);
        if (task is null)
            errors.Add(new FieldError("task", $"Unknown task '{Quoting.Shorten(request.Task!, 40)}'; use one of: {KnownTasks} (or leave it out for {RecommendTasks.Default})."));
        OptionalText(errors, "prompt", request.Prompt, Limits.MaxTextLength);
        OptionalText(errors, "query", request.Query, Limits.MaxTextLength);
        OptionalText(errors, "category", request.Category, Limits.MaxCategoryLength);
        OptionalId(errors, "anchorItemId", request.AnchorItemId);
        if (request.K is { } k && (k < 1 || k > Limits.MaxK))
            errors.Add(new FieldError("k", $"k must be between 1 and {Limits.MaxK}; got {k} (leave it out for {Limits.DefaultK})."));
        TaskInputs(errors, task, request);
        if (request.Rules is { } rules) Rules(errors, rules);
        return errors;
    }

    private void History(List<FieldError> errors, IReadOnlyList<HistoryEvent>? history)
    {
        if (history is null) return;
        if (history.Count > Limits.MaxHistory)
        {
            // One error, not one per event: the fix is to send fewer, the most recent.
            errors.Add(new FieldError("history", $"At most {Limits.MaxHistory} history events; got {history.Count}. Send the most recent ones (the model reads only the latest few)."));
            return;
        }
        for (var i = 0; i < history.Count; i++)
        {
            var entry = history[i];
            if (entry is null)
            {
                errors.Add(new FieldError($"history[{i}]", "A history entry must be an item id or an object with an itemId."));
                continue;
            }
            RequiredId(errors, $"history[{i}].itemId", entry.ItemId);
            if (!string.IsNullOrWhiteSpace(entry.Event) && !EventNames.TryParse(entry.Event, out _))
                errors.Add(new FieldError($"history[{i}].event", $"Unknown event '{Quoting.Shorten(entry.Event!, 40)}'; use view, click, cart or purchase (or leave it out for view)."));
        }
    }

    private static void TaskInputs(List<FieldError> errors, string? task, RecommendRequest request)
    {
        switch (task)
        {
            case RecommendTasks.Search when string.IsNullOrWhiteSpace(request.Query):
                errors.Add(new FieldError("query", "The search task needs a query: the shopper's search text."));
                break;
            case RecommendTasks.Category when string.IsNullOrWhiteSpace(request.Category):
                errors.Add(new FieldError("category", "The category task needs a category: a catalog category path such as \"Shoes > Running\"."));
                break;
            case RecommendTasks.Similar when string.IsNullOrWhiteSpace(request.AnchorItemId) && (request.History is null || request.History.Count == 0):
                errors.Add(new FieldError("anchorItemId", "The similar task needs an anchorItemId (the item to find similar ones for) or a history (its most recent item is the anchor)."));
                break;
        }
    }

    private void Rules(List<FieldError> errors, BusinessRules rules)
    {
        IdList(errors, "rules.excludeIds", rules.ExcludeIds, Limits.MaxExcludeIds);
        CategoryList(errors, "rules.categories", rules.Categories);
        CategoryList(errors, "rules.excludeCategories", rules.ExcludeCategories);
        Price(errors, "rules.priceMin", rules.PriceMin);
        Price(errors, "rules.priceMax", rules.PriceMax);
        if (rules.PriceMin is { } min && rules.PriceMax is { } max && double.IsFinite(min) && double.IsFinite(max) && min > max)
            errors.Add(new FieldError("rules.priceMin", $"priceMin ({min}) is above priceMax ({max}); swap them or drop one."));
    }

    private void IdList(List<FieldError> errors, string field, IReadOnlyList<string>? ids, int max)
    {
        if (ids is null) return;
        if (ids.Count > max)
        {
            errors.Add(new FieldError(field, $"At most {max} entries; got {ids.Count}."));
            return;
        }
        for (var i = 0; i < ids.Count; i++) RequiredId(errors, $"{field}[{i}]", ids[i]);
    }

    private void CategoryList(List<FieldError> errors, string field, IReadOnlyList<string>? categories)
    {
        if (categories is null) return;
        if (categories.Count > Limits.MaxCategories)
        {
            errors.Add(new FieldError(field, $"At most {Limits.MaxCategories} categories; got {categories.Count}. A parent path covers its sub-categories."));
            return;
        }
        for (var i = 0; i < categories.Count; i++)
        {
            var path = $"{field}[{i}]";
            if (string.IsNullOrWhiteSpace(categories[i]))
                errors.Add(new FieldError(path, "A category must not be empty; use a catalog category path such as \"Shoes > Running\"."));
            else if (categories[i].Length > Limits.MaxCategoryLength)
                errors.Add(new FieldError(path, $"A category is at most {Limits.MaxCategoryLength} characters; got {categories[i].Length}."));
        }
    }

    private static void Price(List<FieldError> errors, string field, double? value)
    {
        if (value is { } price && (!double.IsFinite(price) || price < 0))
            errors.Add(new FieldError(field, $"A price bound must be a finite number, 0 or more; got {price}."));
    }

    private void RequiredId(List<FieldError> errors, string field, string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
            errors.Add(new FieldError(field, "An item id must not be empty."));
        else if (id.Length > Limits.MaxIdLength)
            errors.Add(new FieldError(field, $"An id is at most {Limits.MaxIdLength} characters; got {id.Length}."));
    }

    // Optional strings: JSON clients often send "" for "not set", so blank counts as absent; only the length is capped.
    private void OptionalId(List<FieldError> errors, string field, string? id)
    {
        if (id is not null && id.Length > Limits.MaxIdLength)
            errors.Add(new FieldError(field, $"An id is at most {Limits.MaxIdLength} characters; got {id.Length}."));
    }

    private static void OptionalText(List<FieldError> errors, string field, string? text, int max)
    {
        if (text is not null && text.Length > max)
            errors.Add(new FieldError(field, $"{field} is at most {max} characters; got {text.Length}."));
    }
}
