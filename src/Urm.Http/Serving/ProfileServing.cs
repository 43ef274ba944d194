using Microsoft.Extensions.Logging;
using Urm.Core.Profiles;

namespace Urm.Http.Serving;

/// <summary>What the events and users handlers depend on, grouped: the profile service and a logger for faults.</summary>
public sealed class ProfileServing(ProfileService service, ILogger<ProfileServing> logger)
{
    public ProfileService Service { get; } = service;

    public ILogger Logger { get; } = logger;
}
