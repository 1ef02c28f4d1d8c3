using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Streaming.Tensors.Tests.Reference;

/// <summary>
/// Runs a reference script (Reference/*.py, copied next to the test assembly) under Debian's system
/// Python, where scripts/setup.sh installs numpy and torch; the first python3 on PATH may be another
/// interpreter without them. Scripts take arguments and optional stdin and print their result.
/// </summary>
public static class PythonReference
{
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Generous: importing torch alone takes a second or more on a busy machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Full path of a reference script shipped with the tests.</summary>
    public static string ScriptPath(string scriptName) => Path.Combine(AppContext.BaseDirectory, "Reference", scriptName);

    /// <summary>
    /// Runs <paramref name="scriptName"/> with <paramref name="args"/>, writing <paramref name="stdin"/> to its
    /// input if given, and returns its stdout. Throws with the script's stderr if it exits non-zero or times out.
    /// </summary>
    public static string Run(string scriptName, IReadOnlyList<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var script = ScriptPath(scriptName);
        if (!File.Exists(script)) throw new FileNotFoundException($"reference script not found: {script}", script);
        if (!File.Exists(Interpreter)) throw new FileNotFoundException($"{Interpreter} not found: run scripts/setup.sh (it installs python3-numpy and python3-torch).", Interpreter);

        var psi = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        // Scripts run from the build output; no __pycache__ there.
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        // Drain both pipes while writing stdin, so a script that prints a lot cannot block us.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            try
            {
                using var input = new StreamWriter(process.StandardInput.BaseStream, new UTF8Encoding(false));
                input.Write(stdin);
            }
            catch (IOException)
            {
                // The script exited without reading all its input; its exit code and stderr say why.
            }
        }
        var limit = timeout ?? DefaultTimeout;
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{Describe(scriptName, args)} ran longer than {limit.TotalSeconds:0} s; stderr:\n{stderr.Result.Trim()}");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Describe(scriptName, args)} exited with code {process.ExitCode}:\n{stderr.Result.Trim()}");
        return stdout.Result;
    }

    /// <summary><see cref="Run"/> for scripts that print one JSON document.</summary>
    public static JsonNode RunJson(string scriptName, IReadOnlyList<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var output = Run(scriptName, args, stdin, timeout);
        return JsonNode.Parse(output) ?? throw new InvalidOperationException($"{Describe(scriptName, args)} printed no JSON");
    }

    static string Describe(string scriptName, IReadOnlyList<string> args) =>
        $"reference script {scriptName} {string.Join(' ', args)}".TrimEnd();
}
