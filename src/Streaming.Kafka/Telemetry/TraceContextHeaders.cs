using System.Diagnostics;
using System.Text;

namespace Streaming.Kafka.Telemetry;

/// <summary>
/// W3C Trace Context in Kafka headers, as OpenTelemetry's messaging conventions carry it: <c>traceparent</c>
/// (<c>00-&lt;trace id&gt;-&lt;span id&gt;-&lt;flags&gt;</c>) and, when there is one, <c>tracestate</c>.
/// </summary>
public static class TraceContextHeaders
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>The remote context in <paramref name="headers"/>; <c>default</c> when there is no valid <c>traceparent</c>.</summary>
    public static ActivityContext Extract(IReadOnlyList<KeyValuePair<string, byte[]>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        string? parent = null, state = null;
        // The last occurrence wins, as a producer that re-sends a record with a new header appends it.
        foreach (var (name, value) in headers)
        {
            if (name == TraceParent) parent = Encoding.ASCII.GetString(value);
            else if (name == TraceState) state = Encoding.ASCII.GetString(value);
        }
        return parent is not null && ActivityContext.TryParse(parent, state, isRemote: true, out var context) ? context : default;
    }

    /// <summary>The headers that continue <paramref name="context"/> downstream; none for <c>default</c>.</summary>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> Inject(ActivityContext context)
    {
        if (context == default) return [];
        var traceParent = $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{(byte)context.TraceFlags:x2}";
        var headers = new List<KeyValuePair<string, byte[]>> { new(TraceParent, Encoding.ASCII.GetBytes(traceParent)) };
        if (!string.IsNullOrEmpty(context.TraceState)) headers.Add(new(TraceState, Encoding.ASCII.GetBytes(context.TraceState)));
        return headers;
    }
}
