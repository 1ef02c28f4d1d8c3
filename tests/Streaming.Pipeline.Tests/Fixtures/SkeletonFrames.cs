using System.Globalization;
using System.Text;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Ingest;

namespace Streaming.Pipeline.Tests.Fixtures;

/// <summary>Skeleton frames for tests: a body swinging one arm, so positions and motion are not constant.</summary>
public static class SkeletonFrames
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static SkeletonFrame Make(string stream, long seq, DateTimeOffset time, SkeletonLayout? layout = null, float amplitude = 0.3f)
    {
        layout ??= SkeletonLayout.Kinect20;
        var joints = new float[layout.JointCount * SkeletonFrame.ValuesPerJoint];
        for (int j = 0; j < layout.JointCount; j++)
        {
            joints[j * 4 + 0] = 0.1f * (j % 5) + (j == 7 ? amplitude * MathF.Sin(seq * 0.5f) : 0);
            joints[j * 4 + 1] = 0.1f * (j / 5);
            joints[j * 4 + 2] = 2.5f;
            joints[j * 4 + 3] = 1;
        }
        return new SkeletonFrame(stream, time, seq, layout, joints);
    }

    /// <summary>Frame <paramref name="seq"/> of a 30 fps stream starting at <see cref="T0"/>.</summary>
    public static SkeletonFrame At30Fps(string stream, long seq, float amplitude = 0.3f) =>
        Make(stream, seq, T0 + TimeSpan.FromTicks(seq * TimeSpan.TicksPerSecond / 30), amplitude: amplitude);

    public static Acked<SkeletonFrame> Acked(SkeletonFrame frame, AckLog log, out int id) => new(frame, log.NewToken(out id));

    public static InputMessage Message(SkeletonFrame frame, AckLog log, out int id) => new(frame.Stream, SkeletonFrameJson.Serialize(frame), log.NewToken(out id));

    public static InputMessage Message(string key, string json, AckLog log, out int id) => new(key, Encoding.UTF8.GetBytes(json), log.NewToken(out id));

    /// <summary>A kinect20 message with the given joint text replaced in, for hand-made bad inputs.</summary>
    public static string Json(string? schema = "1", string layout = "\"kinect20\"", int joints = 20, string jointValue = "[0.1,0.2,2.5,1]", string time = "2026-01-01T12:00:00Z", long seq = 0)
    {
        var fields = new List<string>();
        if (schema is not null) fields.Add("\"schema\":" + schema);
        fields.Add("\"stream\":\"cam-1\"");
        fields.Add("\"time\":\"" + time + "\"");
        fields.Add("\"seq\":" + seq.ToString(CultureInfo.InvariantCulture));
        fields.Add("\"layout\":" + layout);
        fields.Add("\"joints\":[" + string.Join(",", Enumerable.Repeat(jointValue, joints)) + "]");
        return "{" + string.Join(",", fields) + "}";
    }
}
