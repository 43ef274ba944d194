namespace Urm.Offline.Evaluation;

/// <summary>Which held-out item is the target: the last event of each user (test) or the one before it (validation).</summary>
public enum EvaluationSplit { Test, Validation }
