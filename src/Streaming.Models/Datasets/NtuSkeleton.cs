using System.Globalization;

namespace Streaming.Models.Datasets;

/// <summary>One tracked body in one frame: its Kinect body id and 25 joints as x, y, z (metres, camera space) and confidence.</summary>
public sealed record NtuBody(ulong BodyId, float[] Joints);

/// <summary>
/// Reader of NTU RGB+D <c>.skeleton</c> files (Shahroudy et al., CVPR 2016; Kinect v2, 30 frames per second): a
/// frame count, then per frame a body count and per body a line of body properties (id first), a joint count (25)
/// and one line per joint: <c>x y z depthX depthY colorX colorY orientationW orientationX orientationY orientationZ
/// trackingState</c>. Confidence is 1 for a tracked joint, 0.5 for an inferred one and 0 for one not tracked.
/// </summary>
public static class NtuSkeleton
{
    public const int Joints = 25;
    public const double FramesPerSecond = 30;

    /// <summary>Every frame's bodies (none where the sensor saw nobody).</summary>
    public static IReadOnlyList<IReadOnlyList<NtuBody>> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"NTU skeleton file {path} not found.", path);
        using var reader = new StreamReader(path);
        int lineNumber = 0;
        string[] Next(int fields, string what)
        {
            string? line;
            do
            {
                line = reader.ReadLine();
                lineNumber++;
                if (line is null) throw new FormatException($"{path}: ends at line {lineNumber} where {what} was expected (truncated file?).");
            }
            while (line.Trim().Length == 0);
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < fields) throw new FormatException($"{path}:{lineNumber}: expected {what} ({fields} fields), got '{line.Trim()}'.");
            return parts;
        }
        int Count(string what, int max)
        {
            var field = Next(1, what)[0];
            if (!int.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 0 || n > max)
                throw new FormatException($"{path}:{lineNumber}: {what} '{field}' is not a count in 0..{max}.");
            return n;
        }
        float Number(string field, string what) => float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)
            ? v : throw new FormatException($"{path}:{lineNumber}: {what} '{field}' is not a finite number.");

        int frameCount = Count("the frame count", 1_000_000);
        var frames = new List<IReadOnlyList<NtuBody>>(frameCount);
        for (int f = 0; f < frameCount; f++)
        {
            int bodies = Count($"the body count of frame {f}", 6);
            var list = new List<NtuBody>(bodies);
            for (int b = 0; b < bodies; b++)
            {
                var properties = Next(10, $"the properties of body {b} in frame {f}");
                if (!ulong.TryParse(properties[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong id))
                    throw new FormatException($"{path}:{lineNumber}: body id '{properties[0]}' is not an unsigned integer.");
                int joints = Count($"the joint count of body {b} in frame {f}", 100);
                if (joints != Joints) throw new FormatException($"{path}:{lineNumber}: body {b} in frame {f} has {joints} joints; NTU skeletons have {Joints}.");
                var values = new float[Joints * 4];
                for (int j = 0; j < Joints; j++)
                {
                    var p = Next(12, $"joint {j} of body {b} in frame {f}");
                    for (int k = 0; k < 3; k++) values[j * 4 + k] = Number(p[k], "a coordinate");
                    values[j * 4 + 3] = p[11] switch
                    {
                        "2" => 1f,
                        "1" => 0.5f,
                        "0" => 0f,
                        _ => throw new FormatException($"{path}:{lineNumber}: tracking state '{p[11]}' is not 0, 1 or 2."),
                    };
                }
                list.Add(new NtuBody(id, values));
            }
            frames.Add(list);
        }
        return frames;
    }
}
