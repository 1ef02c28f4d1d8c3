using System.Text.Json;
using System.Text.Json.Nodes;

namespace Streaming.Cli.Bench;

/// <summary>Writes bench and eval results as the JSON document of docs/results-format.md.</summary>
public static class ResultsFile
{
    public static void Write(string path, string command, IReadOnlyList<BenchResult> results)
    {
        var rows = new JsonArray();
        foreach (var r in results)
        {
            var row = new JsonObject { ["name"] = r.Name, ["metric"] = r.Metric, ["value"] = Round(r.Value) };
            if (r.Std is { } std) row["std"] = Round(std);
            if (r.Peer is not null) row["peer"] = r.Peer;
            if (r.PeerValue is { } pv) row["peer_value"] = Round(pv);
            if (r.Ratio is { } ratio) row["ratio"] = Math.Round(ratio, 3);
            rows.Add(row);
        }
        var doc = new JsonObject
        {
            ["command"] = command,
            ["created"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["machine"] = new JsonObject { ["cores"] = Environment.ProcessorCount, ["cpu"] = CpuModel(), ["isa"] = InstructionSet() },
            ["results"] = rows,
        };
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    static double Round(double v) => Math.Round(v, 4);

    /// <summary>The widest vector instruction set the kernels use on this CPU: results move with it (floating-point order differs).</summary>
    public static string InstructionSet() =>
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "AVX-512"
        : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "AVX2"
        : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? "128-bit SIMD" : "scalar";

    /// <summary>The CPU model name from /proc/cpuinfo, or the architecture where that is unreadable.</summary>
    public static string CpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }
}
