using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Urm.Functions.Triggers;

/// <summary>A shared handler's typed result as the Functions ASP.NET Core integration returns results: written by the result itself.</summary>
public sealed class HttpResultAction(IResult result) : IActionResult
{
    public IResult Result { get; } = result;

    public Task ExecuteResultAsync(ActionContext context) => Result.ExecuteAsync(context.HttpContext);
}
