namespace Streaming.Pipeline.Acknowledgements;

/// <summary>A value travelling with the acknowledgement token of the input it came from.</summary>
public readonly record struct Acked<T>(T Value, AckToken Ack);
