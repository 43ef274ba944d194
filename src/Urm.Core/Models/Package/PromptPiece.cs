namespace Urm.Core.Models.Package;

/// <summary>One prompt piece the model was trained with: its key (e.g. <c>task:next-item</c>) and the text embedded for it.</summary>
public sealed record PromptPiece(string Key, string Text);
