using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Streaming.Service.Hosting;

namespace Streaming.Cli.Tests;

/// <summary>docker/docker-compose.yml is checked by Debian's docker-compose, which validates without a Docker engine.</summary>
public sealed partial class DockerComposeTests
{
    [Fact]
    public async Task ComposeFile_Validates_WithKafkaTheServiceAndTheCollector()
    {
        var services = await Compose("config", "--services");
        Assert.Equal(["kafka", "otel-collector", "streaming"], services.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [Fact]
    public async Task ComposeFile_RunsTwoReplicasOfTheService_StoppedWithinTheirDrain()
    {
        // The resolved file, as the engine would run it (keys sorted, two-space indents).
        var streaming = ServiceBlock(await Compose("config"), "streaming");
        Assert.Equal("2", DeployReplicas().Match(streaming).Groups[1].Value);
        // Replicas of one service cannot share a container name or a host port.
        Assert.DoesNotContain("container_name:", streaming, StringComparison.Ordinal);
        Assert.DoesNotContain("ports:", streaming, StringComparison.Ordinal);
        var drain = DrainTimeout().Match(streaming);
        var grace = GracePeriod().Match(streaming);
        Assert.True(drain.Success && grace.Success, $"the service sets no STREAMING_Service__DrainTimeoutSeconds or no stop_grace_period in seconds:\n{streaming}");
        var bound = double.Parse(drain.Groups[1].Value, CultureInfo.InvariantCulture) + StreamingHost.CloseMargin.TotalSeconds;
        Assert.True(int.Parse(grace.Groups[1].Value, CultureInfo.InvariantCulture) >= bound,
            $"stop_grace_period {grace.Groups[1].Value} s is shorter than the stop bound of {bound} s: SIGKILL would cut the drain short");
    }

    static async Task<string> Compose(params string[] command)
    {
        const string compose = "/usr/bin/docker-compose";
        Assert.True(File.Exists(compose), $"{compose} is missing: run scripts/setup.sh.");
        var start = new ProcessStartInfo(compose, ["-f", Path.Combine(RepositoryFiles.Root, "docker", "docker-compose.yml"), .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"docker-compose {string.Join(" ", command)} failed: {await error}");
        return await output;
    }

    /// <summary>The lines of one service in the resolved file: from its name to the next key at its indent or above.</summary>
    static string ServiceBlock(string config, string service)
    {
        var lines = config.Split('\n');
        var start = Array.IndexOf(lines, $"  {service}:");
        Assert.True(start >= 0, $"no service {service} in:\n{config}");
        var end = Array.FindIndex(lines, start + 1, l => l.Length > 0 && !l.StartsWith("   ", StringComparison.Ordinal));
        return string.Join('\n', lines[start..(end < 0 ? lines.Length : end)]);
    }

    [GeneratedRegex(@"^    deploy:\n(?:      .*\n)*?      replicas: (\d+)$", RegexOptions.Multiline)]
    private static partial Regex DeployReplicas();

    [GeneratedRegex(@"STREAMING_Service__DrainTimeoutSeconds: '?([0-9.]+)'?")]
    private static partial Regex DrainTimeout();

    [GeneratedRegex(@"^    stop_grace_period: (\d+)s$", RegexOptions.Multiline)]
    private static partial Regex GracePeriod();
}
