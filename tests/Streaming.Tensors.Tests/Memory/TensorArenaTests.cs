
namespace Streaming.Tensors.Tests.Memory;

public sealed class TensorArenaTests
{
    [Fact]
    public void Zeros_InAScope_ComeFromTheArena_AndAreZeroEvenOnReusedStorage()
    {
        var arena = new TensorArena();
        float[] first;
        using (arena.Scope())
        {
            var t = Tensor.Zeros(40, 100);
            first = t.Data;
            t.Span.Fill(7f);
            Assert.True(t.Data.Length >= t.Size);
            Assert.Equal(TensorArena.SizeClass(4000), arena.LentFloats);
        }
        using (arena.Scope())
        {
            var again = Tensor.Zeros(39, 100);                    // the same size class: the same array, cleared
            Assert.Same(first, again.Data);
            Assert.All(again.ToArray(), v => Assert.Equal(0f, v));
            Assert.Equal(0f, again.Sum().Item());
        }
        Assert.NotSame(first, Tensor.Zeros(40, 100).Data);        // outside a scope: a fresh array
    }

    [Fact]
    public void SmallTensors_AndOtherThreads_KeepTheirOwnArrays()
    {
        var arena = new TensorArena();
        using (arena.Scope())
        {
            Assert.Equal(8, Tensor.Zeros(2, 4).Data.Length);
            int elsewhere = 0;
            var thread = new Thread(() => elsewhere = Tensor.Zeros(100, 100).Data.Length);
            thread.Start();
            thread.Join();
            Assert.Equal(10_000, elsewhere);
        }
        Assert.Equal(0, arena.FreeFloats);
    }

    [Fact]
    public void Scope_OpenTwice_IsRefused()
    {
        var arena = new TensorArena();
        using var scope = arena.Scope();
        Assert.Contains("already open", Assert.Throws<InvalidOperationException>(() => arena.Scope()).Message);
    }

    [Theory]
    [InlineData(1024, 1024)]
    [InlineData(1025, 1280)]
    [InlineData(1280, 1280)]
    [InlineData(1281, 1536)]
    [InlineData(1793, 2048)]
    [InlineData(3000, 3072)]
    public void SizeClasses_AreQuartersOfPowersOfTwo(int floats, int size) => Assert.Equal(size, TensorArena.SizeClass(floats));

    [Fact]
    public void PoisonReturned_OverwritesWhatCameBack()
    {
        var arena = new TensorArena { PoisonReturned = true };
        Tensor kept;
        using (arena.Scope()) kept = Tensor.Zeros(64, 64);
        Assert.True(float.IsNaN(kept.Data[0]), "a tensor read after its scope shows NaN");
    }
}
