using System.Diagnostics;
using System.Text;
using Streaming.Kafka.Telemetry;

namespace Streaming.Kafka.Tests.Telemetry;

public sealed class TraceContextHeadersTests
{
    const string W3CExample = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    static KeyValuePair<string, byte[]> Header(string name, string value) => new(name, Encoding.ASCII.GetBytes(value));

    [Fact]
    public void Extract_W3CExample_RemoteSampledContext()
    {
        var context = TraceContextHeaders.Extract([Header("seq", "7"), Header("traceparent", W3CExample), Header("tracestate", "congo=t61rcWkgMzE")]);

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", context.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", context.SpanId.ToHexString());
        Assert.Equal(ActivityTraceFlags.Recorded, context.TraceFlags);
        Assert.Equal("congo=t61rcWkgMzE", context.TraceState);
        Assert.True(context.IsRemote);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b71692033-01")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("not a traceparent")]
    public void Extract_InvalidTraceParent_Default(string value) =>
        Assert.Equal(default, TraceContextHeaders.Extract([Header("traceparent", value)]));

    [Fact]
    public void Extract_NoHeader_Default() => Assert.Equal(default, TraceContextHeaders.Extract([Header("format", "json")]));

    [Fact]
    public void Inject_ThenExtract_SameContext()
    {
        var context = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "k=v", isRemote: true);

        var headers = TraceContextHeaders.Inject(context);

        Assert.Equal(["traceparent", "tracestate"], headers.Select(h => h.Key));
        Assert.Equal($"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-01", Encoding.ASCII.GetString(headers[0].Value));
        Assert.Equal(context, TraceContextHeaders.Extract(headers));
    }

    [Fact]
    public void Inject_Default_NoHeaders() => Assert.Empty(TraceContextHeaders.Inject(default));
}
