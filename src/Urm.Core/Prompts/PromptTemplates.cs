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

    public static string TaskKey(string task) => "task:" + task;

    public static string CategoryKey(string categoryPath) => "category:" + categoryPath;

    public static string CategoryText(string categoryPath) => "Category: " + categoryPath;

    public static string QueryText(string query) => "Search query: " + query;
}
