using System.Diagnostics;
using System.Text;

namespace Streaming.Cli.Tests.Commands;

/// <summary>What a run of the streaming executable printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>
/// Runs the <c>streaming</c> executable built beside the tests (streaming.dll under the dotnet host), through its
/// entry point as a user does: the exit code and the two streams are what the tests judge.
/// </summary>
public static class CliProcess
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);   // a guard against hangs: the quick eval runs take over 2 minutes on a loaded 2-core machine

    public static CliResult Run(string workingDirectory, params string[] args)
    {
        // dotnet test names the host that runs it; a plain PATH lookup otherwise.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var psi = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "streaming.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {host}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"streaming {string.Join(' ', args)} ran longer than {Timeout.TotalSeconds:0} s; stderr:\n{error.Result}");
        }
        process.WaitForExit();
        return new CliResult(process.ExitCode, output.Result, error.Result);
    }
}
