namespace Urm.Core.Serving;

/// <summary>
/// One problem with a request: where (a JSON path in the request's camelCase names, e.g.
/// <c>history[3].itemId</c>) and what to change. The HTTP layer turns a list of these into a 400 problem+json.
/// </summary>
public sealed record FieldError(string Field, string Message);
