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

    /// <summary>Path of a peer script shipped next to the executable (Peers/*.py).</summary>
    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Peers", name);

    public static JsonNode Run(string scriptName, params string[] args)
    {
        var script = Script(scriptName);
        if (!File.Exists(script)) throw new FileNotFoundException($"peer script not found: {script}", script);
        if (!File.Exists(SystemPython)) throw new FileNotFoundException($"{SystemPython} not found: run scripts/setup.sh (it installs python3-torch).");
        var psi = new ProcessStartInfo(SystemPython) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {SystemPython}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"peer {scriptName} exited with {process.ExitCode}: {stderr.Result.Trim()}");
        return JsonNode.Parse(stdout) ?? throw new InvalidOperationException($"peer {scriptName} printed no JSON");
    }
}
