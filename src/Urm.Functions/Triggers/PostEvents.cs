using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Urm.Http.Apis;
using Urm.Http.Serving;

namespace Urm.Functions.Triggers;

/// <summary>POST /api/events (function key): the shared handler. Needs no model, so it does not follow the serving pointer.</summary>
public sealed class PostEvents(ProfileServing profiles)
{
    [Function(nameof(PostEvents))]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "events")] HttpRequest request,
        CancellationToken cancellationToken)
        => new HttpResultAction(await ProfileApi.PostEventsAsync(request, profiles, cancellationToken));
}
