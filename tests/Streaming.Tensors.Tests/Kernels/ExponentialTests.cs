using Xunit;

namespace Streaming.Tensors.Tests.Kernels;

/// <summary>Exponential.Apply against exp in double: accuracy over the whole float range, the edges, and independence from where an element sits.</summary>
public class ExponentialTests
{
    const double SmallestNormal = 1.1754943508222875e-38;

    [Fact]
    public void Apply_WithinTwoAndAHalfTenMillionthsOfExp_WhereTheResultIsNormal()
    {
        const int n = 1 << 21;
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -104f + 193f * i / n;
        var y = new float[n];
        Exponential.Apply(x, y);
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            double exact = Math.Exp(x[i]);
            if (exact > float.MaxValue) Assert.True(float.IsPositiveInfinity(y[i]), $"exp({x[i]}) = {y[i]}, expected +inf");
            else if (exact < SmallestNormal) Assert.True(Math.Abs(y[i] - exact) <= float.Epsilon, $"exp({x[i]}) = {y[i]}, expected {exact} (subnormal)");
            else worst = Math.Max(worst, Math.Abs(y[i] - exact) / exact);
        }
        Assert.True(worst < 2.5e-7, $"largest relative error {worst:E3}");
    }

    [Theory]
    [InlineData(float.NegativeInfinity, 0f)]
    [InlineData(-1000f, 0f)]
    [InlineData(-104f, 0f)]
    [InlineData(0f, 1f)]
    [InlineData(88.73f, float.PositiveInfinity)]
    [InlineData(1000f, float.PositiveInfinity)]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity)]
    public void Apply_Edges(float x, float expected)
    {
        var y = new float[1];
        Exponential.Apply([x], y);
        Assert.Equal(expected, y[0]);
    }

    [Fact]
    public void Apply_KeepsNaN()
    {
        var y = new float[3];
        Exponential.Apply([1f, float.NaN, 2f], y);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal(MathF.E, y[0], 6);
    }

    [Fact]
    public void Apply_AnElementsExpDoesNotDependOnWhereItSits_InPlaceOrNot()
    {
        var rng = new Random(3);
        var x = Enumerable.Range(0, 37).Select(_ => (float)(rng.NextDouble() * 40 - 20)).ToArray();
        var whole = new float[x.Length];
        Exponential.Apply(x, whole);
        for (int start = 0; start < x.Length; start++)
        {
            var part = x[start..].ToArray();
            Exponential.Apply(part, part);
            Assert.Equal(whole[start..], part);
        }
    }

    [Fact]
    public void Apply_RefusesAShortOutput() =>
        Assert.Throws<ArgumentException>(() => Exponential.Apply(new float[5], new float[4]));
}
