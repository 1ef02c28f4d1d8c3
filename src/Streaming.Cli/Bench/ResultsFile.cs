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

    /// <summary>
    /// The CPU model name from /proc/cpuinfo with its family and model numbers, e.g. "AMD EPYC (family 26, model 2)":
    /// virtual machines often report only the vendor's name, and two generations of the same name run kernels at
    /// different speeds. The architecture where /proc/cpuinfo is unreadable.
    /// </summary>
    public static string CpuModel()
    {
        string? name = null, family = null, model = null;
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.Length == 0) break;                                  // the first processor is enough
                string value = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                if (line.StartsWith("model name", StringComparison.Ordinal)) name = value;
                else if (line.StartsWith("cpu family", StringComparison.Ordinal)) family = value;
                else if (line.StartsWith("model", StringComparison.Ordinal) && line.TrimEnd().Length > 5 && line[5] is ' ' or '\t') model = value;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        if (name is null) return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
        return family is null || model is null ? name : $"{name} (family {family}, model {model})";
    }
}
