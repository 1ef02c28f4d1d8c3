using Streaming.Models.Skeletons;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Fixtures;

/// <summary>
/// A transparent model for pipeline tests (the trained models plug in later): "moving" when the window's positions
/// change from frame to frame, else "still"; the past is the window itself, the future one window more of the same.
/// It records every batch, and can be told to throw, to leave predictions out or to refuse windows.
/// </summary>
public sealed class MotionModel : IActionModel
{
    readonly Lock _gate = new();
    readonly List<IReadOnlyList<Observation>> _batches = [];

    public string Id => "motion-test-1";

    public bool Fail { get; set; }

    /// <summary>When set, says which windows the model refuses, and why.</summary>
    public Func<Observation, Rejection?>? Refuses { get; set; }

    /// <summary>Predictions left off the end of each batch's answer: a broken model.</summary>
    public int Missing { get; set; }

    /// <summary>When set, each batch waits for it: a model that cannot keep up.</summary>
    public ManualResetEventSlim? Gate { get; set; }

    public IReadOnlyList<IReadOnlyList<Observation>> Batches { get { lock (_gate) return [.. _batches]; } }

    /// <summary>Two frames of one joint that moves by 1 or stays: the positions of a hand-made window.</summary>
    public static SkeletonSequence Positions(bool moving) => new([0f, 0f, 0f, 0f, moving ? 1f : 0f, 0f], 2, 1);

    public Rejection? Refusal(Observation window) => Refuses?.Invoke(window);

    public IReadOnlyList<WindowPrediction> Predict(IReadOnlyList<Observation> batch)
    {
        Gate?.Wait(TimeSpan.FromSeconds(30));
        if (Fail) throw new InvalidOperationException("motion model told to fail");
        lock (_gate) _batches.Add([.. batch]);
        return batch.SkipLast(Missing).Select(o =>
        {
            double energy = Energy(o.Positions!);
            double moving = energy / (energy + 0.001);
            var topK = new[] { new LabelProbability("moving", moving), new LabelProbability("still", 1 - moving) }.OrderByDescending(l => l.Probability).ToList();
            return new WindowPrediction(new RecognizedAction(topK[0].Label, topK[0].Probability, topK),
                [new ActionSegment("observed", o.Start, o.End, 1)], [new ActionSegment("observed", o.End, o.End + (o.End - o.Start), 0.5)]);
        }).ToList();
    }

    /// <summary>Sum of squared frame-to-frame displacements.</summary>
    static double Energy(SkeletonSequence s)
    {
        double energy = 0;
        for (int t = 1; t < s.Frames; t++)
            for (int k = 0; k < s.Joints * 3; k++) energy += Math.Pow(s.Frame(t)[k] - s.Frame(t - 1)[k], 2);
        return energy;
    }
}
