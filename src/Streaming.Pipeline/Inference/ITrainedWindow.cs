namespace Streaming.Pipeline.Inference;

/// <summary>A model trained on windows of one length, which the service windows with unless configured otherwise.</summary>
public interface ITrainedWindow
{
    /// <summary>Skeleton frames per training window; 0 when the model reads any length (a take so far).</summary>
    int WindowFrames { get; }
}
