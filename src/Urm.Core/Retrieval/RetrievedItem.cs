namespace Urm.Core.Retrieval;

/// <summary>A retrieved card: its row in the matrix, its score, and the interest slot (user vector) that gave it.</summary>
public readonly record struct RetrievedItem(int Row, float Score, int Interest);
