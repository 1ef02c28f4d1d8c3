using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Fixtures;

/// <summary>
/// A transparent model for pipeline tests (the trained models plug in later): "moving" when the window's
/// feature velocities carry energy, else "still"; the past is the window itself, the future one window more
/// of the same. It records every batch, and can be told to throw.
/// </summary>
public sealed class MotionModel : IActionModel
{
    readonly Lock _gate = new();
    readonly List<IReadOnlyList<Observation>> _batches = [];

    public string Id => "motion-test-1";

    public bool Fail { get; set; }

    /// <summary>When set, each batch waits for it: a model that cannot keep up.</summary>
    public ManualResetEventSlim? Gate { get; set; }

    public IReadOnlyList<IReadOnlyList<Observation>> Batches { get { lock (_gate) return [.. _batches]; } }

    public IReadOnlyList<RecognizedAction> Recognize(IReadOnlyList<Observation> batch)
    {
        Gate?.Wait(TimeSpan.FromSeconds(30));
        if (Fail) throw new InvalidOperationException("motion model told to fail");
        lock (_gate) _batches.Add([.. batch]);
        return batch.Select(o =>
        {
            double energy = o.Features.Skip(o.Features.Length / 2).Sum(v => (double)v * v);
            double moving = energy / (energy + 0.01);
            var topK = new[] { new LabelProbability("moving", moving), new LabelProbability("still", 1 - moving) }.OrderByDescending(l => l.Probability).ToList();
            return new RecognizedAction(topK[0].Label, topK[0].Probability, topK);
        }).ToList();
    }

    public IReadOnlyList<IReadOnlyList<ActionSegment>> Segment(IReadOnlyList<Observation> batch) =>
        batch.Select(o => (IReadOnlyList<ActionSegment>)[new ActionSegment("observed", o.Start, o.End, 1)]).ToList();

    public IReadOnlyList<IReadOnlyList<ActionSegment>> Anticipate(IReadOnlyList<Observation> batch) =>
        batch.Select(o => (IReadOnlyList<ActionSegment>)[new ActionSegment("observed", o.End, o.End + (o.End - o.Start), 0.5)]).ToList();
}
