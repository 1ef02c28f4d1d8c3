using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Streaming.Cli.Peers;

/// <summary>
/// Runs a peer script (PyTorch) under Debian's system Python, which is where python3-torch installs;
/// the first python3 on PATH may be another interpreter without it. The script prints one JSON document.
/// </summary>
public static class PythonPeer
{
    public const string SystemPython = "/usr/bin/python3";

    /// <summary>Path of a peer script shipped next to the executable (Peers/*.py, Peers/*.mjs).</summary>
    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Peers", name);

    public static JsonNode Run(string scriptName, params string[] args) => Run(scriptName, PeerThreading.Default, args);

    /// <summary>
    /// Runs the peer once per thread setting and keeps, per metric, the best value and the setting that gave it:
    /// <paramref name="lowerIsBetter"/> names metrics that are times (ms, MB); every other number is a rate.
    /// </summary>
    public static IReadOnlyDictionary<string, PeerBest> RunFastest(string scriptName, IReadOnlyList<PeerThreading> settings,
        IReadOnlyList<string> metrics, Func<string, bool> lowerIsBetter, params string[] args)
    {
        var best = new Dictionary<string, PeerBest>();
        foreach (var setting in settings)
        {
            var doc = Run(scriptName, setting, args);
            foreach (var metric in metrics)
            {
                double value = doc[metric]!.GetValue<double>();
                bool better = !best.TryGetValue(metric, out var current)
                    || (lowerIsBetter(metric) ? value < current.Value : value > current.Value);
                if (better) best[metric] = new PeerBest(value, setting);
            }
        }
        return best;
    }

    public static JsonNode Run(string scriptName, PeerThreading threading, params string[] args)
    {
        var script = Script(scriptName);
        if (!File.Exists(script)) throw new FileNotFoundException($"peer script not found: {script}", script);
        if (!File.Exists(SystemPython)) throw new FileNotFoundException($"{SystemPython} not found: run scripts/setup.sh (it installs python3-torch).");
        var psi = new ProcessStartInfo(SystemPython) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in threading.Environment) psi.Environment[name] = value;
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {SystemPython}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"peer {scriptName} ({threading.Name}) exited with {process.ExitCode}: {stderr.Result.Trim()}");
        return JsonNode.Parse(stdout) ?? throw new InvalidOperationException($"peer {scriptName} printed no JSON");
    }
}
