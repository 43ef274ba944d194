using Microsoft.Extensions.Logging;
using Urm.Core.Kpi;

namespace Urm.Http.Serving;

/// <summary>What the KPI handler depends on, grouped: the KPI service, a clock for the default range and a logger for faults.</summary>
public sealed class KpiServing(KpiService service, ILogger<KpiServing> logger, TimeProvider? time = null)
{
    public KpiService Service { get; } = service;

    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    public ILogger Logger { get; } = logger;
}
