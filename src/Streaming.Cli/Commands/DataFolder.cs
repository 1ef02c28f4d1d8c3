namespace Streaming.Cli.Commands;

/// <summary>Where the shared datasets are: $STREAMING_DATA, else the nearest ../shared/data above the working directory.</summary>
public static class DataFolder
{
    public static string Default()
    {
        if (Environment.GetEnvironmentVariable("STREAMING_DATA") is { Length: > 0 } env) return env;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return Path.Combine("..", "shared", "data");
    }
}
