using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Streaming.Tensors;

namespace Streaming.Cli.Tests;

/// <summary>Every training step these tests run poisons its storage when it ends, so a tensor that outlives its step fails them.</summary>
static class PoisonedStepStorage
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "A test assembly: the switch must be on before any test runs, on every thread.")]
    internal static void TurnOn() => TensorArena.PoisonByDefault = true;
}
