namespace Streaming.Models.Tests;

/// <summary>The repository's ../shared/data, found from the test binary's folder upwards.</summary>
public static class SharedData
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("shared/data not found above " + AppContext.BaseDirectory);
    }

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>A path in the repository (the folder of Streaming.sln), e.g. its samples/.</summary>
    public static string Repository(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Streaming.sln"))) return System.IO.Path.Combine([dir.FullName, .. parts]);
        throw new DirectoryNotFoundException("Streaming.sln not found above " + AppContext.BaseDirectory);
    }
}
