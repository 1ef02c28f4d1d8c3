using System.Diagnostics;
using System.Globalization;
using System.Text;
using Streaming.Cli.Commands;

namespace Streaming.Cli.Tests.Accounting;

/// <summary>
/// <c>streaming run</c> as a child process (<c>dotnet streaming.dll run</c>) against a broker of the test, so that it
/// can be killed with SIGKILL (no drain, no final commit, no leaving the group) or stopped with SIGTERM (a drain).
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder log = new();
    readonly DirectoryInfo workingDirectory = Directory.CreateTempSubdirectory("streaming-run-");

    ServiceProcess(string bootstrapServers, string groupId, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // No appsettings.json here: the flags and STREAMING_ variables below are the whole configuration.
            WorkingDirectory = workingDirectory.FullName,
        };
        foreach (var argument in new[]
        {
            typeof(RunCommand).Assembly.Location, "run", "--bootstrap-servers", bootstrapServers, "--group-id", groupId,
            "--model", Path.Combine(RepositoryFiles.Root, "samples", "baseline"),
        })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment) start.Environment[name] = value;
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static ServiceProcess Start(string bootstrapServers, string groupId, IReadOnlyDictionary<string, string> environment) =>
        new(bootstrapServers, groupId, environment);

    public bool HasExited => process.HasExited;

    /// <summary>What the service wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (log) return log.ToString();
        }
    }

    /// <summary>SIGKILL: the process ends at once, whatever it was doing.</summary>
    public void Kill()
    {
        if (!process.HasExited) process.Kill();
        process.WaitForExit();
    }

    /// <summary>
    /// SIGTERM, as an orchestrator stops a container: the service drains, commits and leaves its group. Returns the exit
    /// code, or null if the process still runs after <paramref name="within"/> (it is then left to <see cref="Dispose"/>).
    /// </summary>
    public async Task<int?> TerminateAsync(TimeSpan within)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.True(kill.ExitCode == 0 || process.HasExited, $"kill -TERM {process.Id} failed with exit code {kill.ExitCode}");
        }
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        return process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
        workingDirectory.Delete(recursive: true);
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (log) log.AppendLine(line);
    }
}
