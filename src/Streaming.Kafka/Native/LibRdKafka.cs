using System.Reflection;
using System.Runtime.InteropServices;

namespace Streaming.Kafka.Native;

/// <summary>
/// Loads librdkafka.redist's <c>centos8-librdkafka.so</c> for both Confluent.Kafka and our own mock-cluster calls.
/// </summary>
/// <remarks>
/// The package's default <c>librdkafka.so</c> needs <c>libsasl2.so.3</c>, which Debian 12 lacks; the runtime then
/// falls back, silently, to a system librdkafka of another version. The centos8 build needs only glibc 2.28 or later.
/// <c>Library.Load(path)</c> is not used: it dlopens through <c>libdl.so</c>, which Debian lacks.
/// </remarks>
internal static class LibRdKafka
{
    internal const string ImportName = "librdkafka";

    /// <summary>The only runtime librdkafka.redist builds the centos8 library for, and the one Streaming targets.</summary>
    internal const string RuntimeIdentifier = "linux-x64";

    internal const string FileName = "centos8-librdkafka.so";

    static readonly Lock Gate = new();
    static IntPtr handle;

    /// <summary>Loads librdkafka once and routes both assemblies' imports of it to that handle.</summary>
    /// <exception cref="PlatformNotSupportedException">The process is not linux-x64.</exception>
    /// <exception cref="DllNotFoundException">The library is missing from the build output or cannot be loaded.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (handle != IntPtr.Zero) return;
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            {
                throw new PlatformNotSupportedException(
                    $"Streaming's Kafka edge runs on {RuntimeIdentifier} only; this process is {RuntimeInformation.RuntimeIdentifier}. " +
                    $"It loads librdkafka.redist's {RuntimeIdentifier} build ({FileName}).");
            }
            var path = Locate(AppContext.BaseDirectory);
            try
            {
                handle = NativeLibrary.Load(path);
            }
            catch (DllNotFoundException error)
            {
                throw new DllNotFoundException(
                    $"{path} could not be loaded ({error.Message}). It needs glibc 2.28 or later (Debian 11+, RHEL 8+; not musl/Alpine).",
                    error);
            }
            NativeLibrary.SetDllImportResolver(typeof(LibRdKafka).Assembly, Resolve);
            NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
        }
    }

    /// <summary>
    /// Where the build put the library under <paramref name="baseDirectory"/>: in <c>runtimes/linux-x64/native/</c>
    /// (framework-dependent output), or beside the assemblies (output for <c>-r linux-x64</c>).
    /// </summary>
    /// <exception cref="DllNotFoundException">Neither file exists.</exception>
    internal static string Locate(string baseDirectory)
    {
        string[] candidates =
        [
            Path.Combine(baseDirectory, "runtimes", RuntimeIdentifier, "native", FileName),
            Path.Combine(baseDirectory, FileName),
        ];
        return candidates.FirstOrDefault(File.Exists) ?? throw new DllNotFoundException(
            $"librdkafka.redist's {FileName} is missing from the build output (looked for {string.Join(" and ", candidates)}). " +
            "Build or publish through a project that references Streaming.Kafka, framework-dependent or for -r linux-x64, so that " +
            "the librdkafka.redist package's runtimes/linux-x64/native files are copied; a published folder must keep its runtimes/ directory.");
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == ImportName ? handle : IntPtr.Zero;
}
