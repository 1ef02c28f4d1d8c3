using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Streaming.Cli.Peers;

/// <summary>Runs a JavaScript peer script (Peers/*.mjs, shipped next to the executable) under Node; it prints one JSON document.</summary>
public static class NodePeer
{
    public static JsonNode Run(string scriptName, params string[] args)
    {
        var script = PythonPeer.Script(scriptName);
        if (!File.Exists(script)) throw new FileNotFoundException($"peer script not found: {script}", script);
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node; install Node.js (scripts/setup.sh needs it too)");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"peer {scriptName} exited with {process.ExitCode}: {stderr.Result.Trim()}");
        return JsonNode.Parse(stdout) ?? throw new InvalidOperationException($"peer {scriptName} printed no JSON");
    }
}
