using System.Diagnostics;

namespace Streaming.Pipeline.Acknowledgements;

/// <summary>
/// A value travelling with the acknowledgement token and the trace context of the input it came from
/// (<c>default</c> when the input is not traced).
/// </summary>
public readonly record struct Acked<T>(T Value, AckToken Ack, ActivityContext Trace = default);
