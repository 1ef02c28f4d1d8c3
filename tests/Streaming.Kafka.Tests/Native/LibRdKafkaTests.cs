using Streaming.Kafka.Embedded;
using Streaming.Kafka.Native;
using Xunit.Abstractions;

namespace Streaming.Kafka.Tests.Native;

/// <summary>
/// The process runs librdkafka.redist's library, never a system librdkafka that the runtime would silently fall back
/// to (Debian's kcat pulls librdkafka1 2.0.2 onto the machine).
/// </summary>
public sealed class LibRdKafkaTests(ITestOutputHelper output)
{
    static readonly string Packaged = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", LibRdKafka.FileName);

    [Fact]
    public void EnsureLoaded_OursAndConfluentKafka_RunThePackaged216()
    {
        LibRdKafka.EnsureLoaded();
        var native = MockClusterInterop.VersionText();
        output.WriteLine($"rd_kafka_version_str() = {native}; Confluent.Kafka Library.VersionString = {Confluent.Kafka.Library.VersionString}");
        Assert.StartsWith("2.16", native, StringComparison.Ordinal);
        Assert.Equal(native, Confluent.Kafka.Library.VersionString);
    }

    [Fact]
    public void EmbeddedBroker_MapsOnlyThePackagedLibrary()
    {
        using var broker = new EmbeddedBroker();
        var mapped = File.ReadLines("/proc/self/maps")
            .Where(line => line.Contains("librdkafka", StringComparison.Ordinal))
            .Select(line => line[line.IndexOf('/', StringComparison.Ordinal)..])
            .Distinct()
            .ToList();
        output.WriteLine(string.Join('\n', mapped));
        Assert.Equal([Packaged], mapped);
    }

    [Fact]
    public void Locate_RuntimesFolderOfTheBuildOutput_FindsTheCentos8Library()
    {
        Assert.Equal(Packaged, LibRdKafka.Locate(AppContext.BaseDirectory));
    }

    [Fact]
    public void Locate_FileBesideTheAssemblies_FindsIt()
    {
        var directory = Directory.CreateTempSubdirectory("librdkafka-");
        try
        {
            var file = Path.Combine(directory.FullName, LibRdKafka.FileName);
            File.WriteAllBytes(file, []);
            Assert.Equal(file, LibRdKafka.Locate(directory.FullName));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Locate_Missing_ThrowsNamingTheFileWhereItWasLookedForAndTheFix()
    {
        var directory = Directory.CreateTempSubdirectory("librdkafka-");
        try
        {
            var error = Assert.Throws<DllNotFoundException>(() => LibRdKafka.Locate(directory.FullName));
            Assert.Contains(Path.Combine(directory.FullName, "runtimes", "linux-x64", "native", LibRdKafka.FileName), error.Message);
            Assert.Contains("librdkafka.redist", error.Message);
            Assert.Contains("references Streaming.Kafka", error.Message);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
