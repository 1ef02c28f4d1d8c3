using System.Reflection;
using System.Runtime.InteropServices;

namespace Streaming.Kafka.Native;

/// <summary>
/// Finds Debian's librdkafka for both Confluent.Kafka and our own mock-cluster calls.
/// </summary>
/// <remarks>
/// Confluent.Kafka 1.9.3 imports "librdkafka"; the runtime maps that to <c>librdkafka.so</c>, which only
/// <c>librdkafka-dev</c> provides. The resolver also accepts the runtime package's <c>librdkafka.so.1</c>.
/// <c>Library.Load(path)</c> is not used: it dlopens through <c>libdl.so</c>, which Debian lacks.
/// </remarks>
internal static class LibRdKafka
{
    internal const string ImportName = "librdkafka";

    static readonly string[] Candidates = ["librdkafka.so.1", "librdkafka.so", ImportName];
    static readonly Lock Gate = new();
    static IntPtr handle;

    /// <summary>Loads librdkafka once and routes both assemblies' imports of it to that handle.</summary>
    /// <exception cref="DllNotFoundException">librdkafka is not installed.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (handle != IntPtr.Zero) return;
            foreach (var name in Candidates)
            {
                if (NativeLibrary.TryLoad(name, out handle)) break;
            }
            if (handle == IntPtr.Zero)
            {
                throw new DllNotFoundException(
                    $"librdkafka was not found (tried {string.Join(", ", Candidates)}). " +
                    "Install Debian's librdkafka1 by running scripts/setup.sh.");
            }
            NativeLibrary.SetDllImportResolver(typeof(LibRdKafka).Assembly, Resolve);
            NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
        }
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == ImportName ? handle : IntPtr.Zero;
}
