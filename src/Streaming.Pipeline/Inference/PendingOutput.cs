using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// An output on its way to the sink. Call <see cref="Acknowledge"/> once it is published (for Kafka: in
/// the delivery report); only then do its window's frames count as contributed, and the edge may commit
/// their offsets.
/// </summary>
public sealed class PendingOutput
{
    readonly WindowSettlement _settlement;

    internal PendingOutput(ActionPrediction prediction, WindowSettlement settlement)
    {
        Prediction = prediction;
        _settlement = settlement;
    }

    public ActionPrediction Prediction { get; }

    public Observation Window => _settlement.Window;

    public void Acknowledge() => _settlement.Publish();

    /// <summary>The same window with a revised prediction (rolling smoothing); acknowledging either settles the window.</summary>
    public PendingOutput WithPrediction(ActionPrediction prediction) => new(prediction, _settlement);
}
