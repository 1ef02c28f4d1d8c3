namespace Streaming.Pipeline.Inference;

/// <summary>When a window's batch went to the model and when its predictions came back, on the pipeline's clock.</summary>
readonly record struct BatchTimes(DateTimeOffset Dispatched, DateTimeOffset Predicted);
