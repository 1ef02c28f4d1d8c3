using System.Diagnostics.Metrics;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.Tests.Fixtures;

/// <summary>Listens to one pipeline's Meter: sums counters by instrument and "reason" tag, keeps histogram values.</summary>
public sealed class MetricsRecorder : IDisposable
{
    readonly MeterListener _listener = new();
    readonly Lock _gate = new();
    readonly Dictionary<string, long> _sums = [];
    readonly List<int> _batchSizes = [];
    readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _doubles = [];

    public MetricsRecorder(PipelineTelemetry telemetry)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, telemetry.Meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? reason = null;
            foreach (var tag in tags) if (tag.Key == "reason") reason = tag.Value as string;
            lock (_gate)
            {
                var key = reason is null ? instrument.Name : instrument.Name + "/" + reason;
                _sums[key] = _sums.GetValueOrDefault(key) + value;
            }
        });
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => { lock (_gate) _batchSizes.Add(value); });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags) copy[tag.Key] = tag.Value;
            lock (_gate) _doubles.Add((instrument.Name, value, copy));
        });
        _listener.Start();
    }

    /// <summary>Sum of an instrument, or of one reason of it ("streaming.pipeline.frames.rejected/late").</summary>
    public long Sum(string key) { lock (_gate) return _sums.GetValueOrDefault(key); }

    public IReadOnlyList<int> BatchSizes { get { lock (_gate) return [.. _batchSizes]; } }

    /// <summary>The values recorded by a histogram of doubles (the latencies), with their tags, in order.</summary>
    public IReadOnlyList<(double Value, Dictionary<string, object?> Tags)> Values(string instrument)
    {
        lock (_gate) return _doubles.Where(d => d.Instrument == instrument).Select(d => (d.Value, d.Tags)).ToList();
    }

    public void Dispose() => _listener.Dispose();
}
