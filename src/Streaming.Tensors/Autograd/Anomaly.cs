namespace Streaming.Tensors;

/// <summary>
/// Opt-in anomaly detection: while enabled, every op checks its output (forward) and the gradients it
/// produces (backward) and throws <see cref="AnomalyException"/> naming the op where a NaN or Inf first appears.
/// Off by default because it reads every value. Per thread, like <see cref="GradMode"/>.
/// </summary>
public static class Anomaly
{
    [ThreadStatic] static bool enabled;
    [ThreadStatic] static bool inBackward;

    public static bool IsEnabled => enabled;

    /// <summary>Enables detection until the returned scope is disposed.</summary>
    public static IDisposable Detect()
    {
        bool previous = enabled;
        enabled = true;
        return new Scope(() => enabled = previous);
    }

    /// <summary>
    /// Marks a backward pass: the ops that backward rules call are not checked as forward ops, so a
    /// non-finite gradient is reported by <see cref="CheckBackward"/> under the op whose rule made it.
    /// </summary>
    internal static IDisposable Backward()
    {
        bool previous = inBackward;
        inBackward = true;
        return new Scope(() => inBackward = previous);
    }

    internal static void CheckForward(string op, Tensor output)
    {
        if (enabled && !inBackward && FirstNonFinite(output) is { } i)
            throw new AnomalyException($"Anomaly: op '{op}' produced {Describe(output, i)} in its forward output of shape {Tensor.Format(output.Shape)}.");
    }

    internal static void CheckBackward(string op, Tensor gradient)
    {
        if (enabled && FirstNonFinite(gradient) is { } i)
            throw new AnomalyException($"Anomaly: backward of op '{op}' produced {Describe(gradient, i)} in a gradient of shape {Tensor.Format(gradient.Shape)}.");
    }

    static int? FirstNonFinite(Tensor t)
    {
        var values = t.IsContiguous ? t.Span : t.ToArray();
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return null;
    }

    static string Describe(Tensor t, int flatIndex)
    {
        var v = t.IsContiguous ? t.Span[flatIndex] : t.ToArray()[flatIndex];
        return $"{(float.IsNaN(v) ? "NaN" : "Inf")} at flat index {flatIndex}";
    }

    sealed class Scope(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}

/// <summary>A NaN or Inf appeared while <see cref="Anomaly.Detect"/> was on.</summary>
public sealed class AnomalyException(string message) : Exception(message);
