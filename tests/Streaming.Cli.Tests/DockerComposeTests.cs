using System.Diagnostics;

namespace Streaming.Cli.Tests;

/// <summary>docker/docker-compose.yml is checked by Debian's docker-compose, which validates without a Docker engine.</summary>
public sealed class DockerComposeTests
{
    [Fact]
    public async Task ComposeFile_Validates_WithKafkaTheServiceAndTheCollector()
    {
        const string compose = "/usr/bin/docker-compose";
        Assert.True(File.Exists(compose), $"{compose} is missing: run scripts/setup.sh.");
        var start = new ProcessStartInfo(compose, ["-f", Path.Combine(RepositoryFiles.Root, "docker", "docker-compose.yml"), "config", "--services"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, $"docker-compose config failed: {await error}");
        Assert.Equal(["kafka", "otel-collector", "streaming"], (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }
}
