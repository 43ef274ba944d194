using System.Text.Json.Serialization;

namespace Urm.Core.Models.Package;

/// <summary>
/// What serving needs from <c>manifest.json</c> (docs/FORMATS.md, "Model directory"; written by
/// src/trainer/urm_train/export.py). Fields serving does not use (dataHashes, config, parity) are not read.
/// </summary>
/// <param name="IdTable">Item id -> id_index (1..IdCount), only items with an ID embedding.</param>
/// <param name="Tasks">Task name -> prompt key.</param>
/// <param name="EventTypes">Event name (lower case) -> id; "padding" is 0.</param>
public sealed record ModelManifest(
    string Version,
    string CreatedAt,
    ModelSizes Sizes,
    IReadOnlyList<string> Modalities,
    IReadOnlyDictionary<string, int> IdTable,
    IReadOnlyList<PromptPiece> Prompts,
    IReadOnlyDictionary<string, string> Tasks,
    IReadOnlyDictionary<string, int> EventTypes,
    ModelMetrics Metrics,
    OnnxSection Onnx)
{
    /// <summary>
    /// Items whose events the trainer kept out of training altogether (its <c>new_item_share</c>), so that
    /// evaluation can measure items the model has never seen as an honest cold start. Empty when the
    /// share was 0, and in manifests written before the field existed.
    /// </summary>
    public IReadOnlyList<string> NewItems { get; init; } = [];

    /// <summary>
    /// The trainer's item-to-item co-occurrence table and how the served score adds it
    /// (<see cref="CoOccurrenceSection"/>); null in manifests without one, which serve the model's score alone.
    /// </summary>
    [JsonPropertyName("cooccurrence")]
    public CoOccurrenceSection? CoOccurrence { get; init; }

    /// <summary>
    /// The model's learned repeat term for items already in the model history (<see cref="RepeatSection"/>);
    /// null in manifests without one, whose model score has no such term.
    /// </summary>
    [JsonPropertyName("repeat")]
    public RepeatSection? Repeat { get; init; }

    /// <summary>
    /// The weights of the served search score's text term and popularity prior (<see cref="SearchSection"/>);
    /// null in manifests without one, whose search answers are the model's score alone.
    /// </summary>
    [JsonPropertyName("search")]
    public SearchSection? Search { get; init; }
}
