using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Urm.Core.Telemetry;

namespace Urm.Core.Tests.Telemetry;

/// <summary>
/// A <see cref="UrmMetrics"/> on a meter of its own (or a host's), with every measurement taken on that meter.
/// Tests run in parallel, each with its own recorder: it hears only its own meter, never another test's.
/// </summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly OwnMeters _meters = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measured> _measured = new();

    /// <param name="metrics">A host's metrics to listen to; null: a new <see cref="UrmMetrics"/> on a meter of the recorder's own.</param>
    public MetricsRecorder(UrmMetrics? metrics = null)
    {
        Metrics = metrics ?? new UrmMetrics(_meters);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, Metrics.Meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public UrmMetrics Metrics { get; }

    /// <summary>Every measurement of <paramref name="instrument"/> so far, in order.</summary>
    public IReadOnlyList<Measured> Of(string instrument) => _measured.Where(m => m.Instrument == instrument).ToList();

    /// <summary>What the observable <paramref name="instrument"/> reports when observed now (one measurement per series).</summary>
    public IReadOnlyList<Measured> Observe(string instrument)
    {
        var before = _measured.Count;
        _listener.RecordObservableInstruments();
        return _measured.Skip(before).Where(m => m.Instrument == instrument).ToList();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose <paramref name="tag"/> is <paramref name="value"/>.</summary>
    public double Sum(string instrument, string tag, string value)
        => Of(instrument).Where(m => Equals(m.Tags.GetValueOrDefault(tag), value)).Sum(m => m.Value);

    public void Dispose()
    {
        _listener.Dispose();
        _meters.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        => _measured.Enqueue(new Measured(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    public sealed record Measured(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    /// <summary>What a host's IMeterFactory does, for one test: meters scoped to it, disposed with it.</summary>
    private sealed class OwnMeters : IMeterFactory
    {
        private readonly List<Meter> _created = [];

        public Meter Create(MeterOptions options)
        {
            options.Scope = this;
            var meter = new Meter(options);
            lock (_created) _created.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            lock (_created) foreach (var meter in _created) meter.Dispose();
        }
    }
}
