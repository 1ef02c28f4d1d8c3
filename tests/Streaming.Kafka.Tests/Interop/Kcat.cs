using System.Diagnostics;
using Xunit;

namespace Streaming.Kafka.Tests.Interop;

/// <summary>Runs kcat (Debian's, installed by scripts/setup.sh), an independent Kafka client, and returns its output.</summary>
public static class Kcat
{
    const string Path = "/usr/bin/kcat";

    public static async Task<string> Run(string? input, params string[] arguments)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: run scripts/setup.sh.");
        var start = new ProcessStartInfo(Path, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        if (input is not null) await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"kcat {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
        return await output;
    }
}
