namespace Streaming.Models.Tests.Reference;

/// <summary>Elementwise comparison with an absolute tolerance; the failure names the worst element.</summary>
public static class Close
{
    /// <summary>Asserts |expected - actual| &lt;= tolerance wherever <paramref name="include"/> (by flat index) holds.</summary>
    public static void Assert(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string what, Func<int, bool>? include = null)
    {
        Xunit.Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}.");
        int worst = -1, compared = 0;
        float worstError = 0f;
        for (int i = 0; i < expected.Length; i++)
        {
            if (include is not null && !include(i)) continue;
            if (compared++ == 0) worst = i;
            float error = MathF.Abs(expected[i] - actual[i]);
            if (!(error <= worstError) || float.IsNaN(actual[i])) { worstError = float.IsNaN(error) ? float.PositiveInfinity : error; worst = i; }
        }
        Xunit.Assert.True(compared > 0, $"{what}: nothing compared.");
        if (worstError > tolerance)
            Xunit.Assert.Fail(
            $"{what}: max |error| {worstError:G3} > {tolerance:G3} at index {worst} (expected {expected[worst]:G9}, got {actual[worst]:G9}).");
    }

    /// <summary>The largest |a - b|.</summary>
    public static float MaxError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float max = 0f;
        for (int i = 0; i < a.Length; i++) max = MathF.Max(max, MathF.Abs(a[i] - b[i]));
        return max;
    }
}
