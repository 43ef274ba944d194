using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace Urm.Functions.Tests;

/// <summary>Calls an HTTP function as the host would: a request in an HttpContext, its IActionResult executed into the response.</summary>
public static class FunctionCall
{
    public static async Task<(int Status, string? MediaType, string Body)> InvokeAsync(
        IServiceProvider services, Func<HttpContext, Task<IActionResult>> function, string method, string? body = null)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
            context.Request.ContentType = "application/json";
        }
        context.Response.Body = new MemoryStream();
        var result = await function(context);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, context.Response.ContentType?.Split(';')[0], await new StreamReader(context.Response.Body).ReadToEndAsync());
    }
}
