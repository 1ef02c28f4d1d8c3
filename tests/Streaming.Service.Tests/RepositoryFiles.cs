namespace Streaming.Service.Tests;

/// <summary>Files of the repository and of ../shared/data, found from the test binary's folder upwards.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = Above(dir => File.Exists(Path.Combine(dir, "Streaming.sln")), "Streaming.sln");

    public static string Data { get; } = Path.Combine(Above(dir => Directory.Exists(Path.Combine(dir, "shared", "data")), "shared/data"), "shared", "data");

    static string Above(Func<string, bool> found, string what)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (found(dir.FullName)) return dir.FullName;
        throw new DirectoryNotFoundException($"{what} not found above {AppContext.BaseDirectory}");
    }
}
