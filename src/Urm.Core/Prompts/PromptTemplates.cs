namespace Urm.Core.Prompts;

/// <summary>
/// The task instructions, in one place for training and serving. A prompt is a list of pieces; each
/// piece becomes one token (its text-encoder embedding). Keys name pieces in prompts.jsonl and in the
/// model manifest: "task:&lt;name&gt;" for an instruction, "category:&lt;path&gt;" and "query:&lt;text&gt;" for inputs.
/// </summary>
public static class PromptTemplates
{
    public static readonly IReadOnlyDictionary<string, string> Tasks = new Dictionary<string, string>
    {
        ["next-item"] = "Recommend the next item this shopper will interact with.",
        ["next-purchase"] = "Recommend the next item this shopper will buy.",
        ["similar"] = "Recommend items similar to this item.",
        ["category"] = "Recommend the next item this shopper will want from the named category.",
        ["search"] = "Recommend items that match this search query.",
        ["explore"] = "Recommend new items away from the categories this shopper has already seen.",
    };

    /// <summary>
    /// Other wordings of each task's instruction that the trainer reads in place of the template on a
    /// share of its samples, so that a shop's own wording of a task (a request's free-text instruction)
    /// lands on the task it means. Prompt keys <see cref="ParaphraseKey"/>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Paraphrases = new Dictionary<string, IReadOnlyList<string>>
    {
        ["next-item"] =
        [
            "What will this customer look at next?",
            "Suggest the product this shopper is most likely to open next.",
            "Predict the next product for this customer.",
            "Show items this user will probably view after these.",
        ],
        ["next-purchase"] =
        [
            "What will this customer buy next?",
            "Suggest products this shopper is likely to purchase.",
            "Predict the next order of this customer.",
            "Show items this user will probably add to the basket and buy.",
        ],
        ["similar"] =
        [
            "Show products like this one.",
            "Find alternatives to this product.",
            "Which items resemble this item?",
            "More items like the one viewed.",
        ],
        ["category"] =
        [
            "Pick what this customer wants from this department.",
            "Suggest products from the given category for this shopper.",
            "Within this category, what will the user choose next?",
            "Recommend from this section of the shop.",
        ],
        ["search"] =
        [
            "Find products for this search.",
            "Which items answer what the shopper typed?",
            "Return products matching the query text.",
            "Search the catalog for this request.",
        ],
        ["explore"] =
        [
            "Suggest something from a department this customer has not visited.",
            "Help the shopper discover a new kind of product.",
            "Recommend items outside the categories in this history.",
            "What new category would interest this customer?",
        ],
    };

    /// <summary>
    /// Wordings never trained on, one pair per task: offline evaluation measures with them how a shop's
    /// own instruction fares against the template (`urm evaluate --instruction`).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> HeldOutParaphrases = new Dictionary<string, IReadOnlyList<string>>
    {
        ["next-item"] = ["Guess which product this person will click on next.", "Next thing this buyer will browse."],
        ["next-purchase"] = ["Which product will this person order next?", "Items this buyer is about to pay for."],
        ["similar"] = ["Items comparable to this product.", "Give me look-alikes of this item."],
        ["category"] = ["From the named category, choose what this person wants.", "Best picks in this category for this buyer."],
        ["search"] = ["Products that fit these search words.", "Look up items for this query."],
        ["explore"] = ["Introduce this buyer to a department they have not browsed.", "Something different from what this person usually looks at."],
    };

    public static string TaskKey(string task) => "task:" + task;

    /// <summary>The prompt key of a task's <paramref name="index"/>-th trained paraphrase.</summary>
    public static string ParaphraseKey(string task, int index) => $"paraphrase:{task}:{index}";

    public static string CategoryKey(string categoryPath) => "category:" + categoryPath;

    public static string CategoryText(string categoryPath) => "Category: " + categoryPath;

    public static string QueryText(string query) => "Search query: " + query;
}
