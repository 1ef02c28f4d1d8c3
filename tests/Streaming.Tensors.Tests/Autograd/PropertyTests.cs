using FsCheck;
using FsCheck.Fluent;

namespace Streaming.Tensors.Tests.Autograd;

// Algebraic properties over random shapes, checked with FsCheck from plain xunit facts. Values are
// random in [-1, 1); exact copies compare bitwise, sums within atol 1e-4 (a few dozen float32 terms).
public class PropertyTests
{
    static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(200).WithQuietOnSuccess(true);

    static Gen<int[]> ShapeGen(int maxRank, int maxDim) =>
        from rank in Gen.Choose(0, maxRank)
        from dims in Gen.ArrayOf(Gen.Choose(1, maxDim), rank)
        select dims;

    /// <summary>
    /// Two shapes that broadcast: from a full shape, one side drops leading dims, and each dim is
    /// kept on both sides or set to 1 on one of them; either order.
    /// </summary>
    static Gen<(int[] A, int[] B)> BroadcastPairGen() =>
        from full in ShapeGen(4, 4)
        from drop in Gen.Choose(0, full.Length)
        from side in Gen.ArrayOf(Gen.Choose(0, 2), full.Length)
        from swap in Gen.Elements(true, false)
        let a = full.Select((d, i) => side[i] == 1 ? 1 : d).ToArray()
        let b = full.Skip(drop).Select((d, i) => side[i + drop] == 2 ? 1 : d).ToArray()
        select swap ? (b, a) : (a, b);

    static Gen<int> SeedGen() => Gen.Choose(0, 1_000_000);

    static Tensor Random(int seed, int[] shape)
    {
        var rng = new Random(seed);
        var data = new float[Tensor.Numel(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return Tensor.FromArray(data, shape);
    }

    static IEnumerable<int[]> Indices(int[] shape)
    {
        int n = Tensor.Numel(shape);
        for (int flat = 0; flat < n; flat++)
        {
            var index = new int[shape.Length];
            for (int d = shape.Length - 1, r = flat; d >= 0; d--)
            {
                index[d] = r % shape[d];
                r /= shape[d];
            }
            yield return index;
        }
    }

    /// <summary>The element of <paramref name="t"/> that broadcasting reads for output index <paramref name="index"/>.</summary>
    static float BroadcastRead(Tensor t, int[] index)
    {
        int lead = index.Length - t.Rank;
        var own = new int[t.Rank];
        for (int d = 0; d < t.Rank; d++) own[d] = t.Shape[d] == 1 ? 0 : index[d + lead];
        return t[own];
    }

    [Fact]
    public void BroadcastAdd_IsCommutative_AndMatchesAnExplicitLoop()
    {
        var arb = Gen.Zip(BroadcastPairGen(), SeedGen()).ToArbitrary();
        Check.One(Quick, Prop.ForAll(arb, input =>
        {
            var ((shapeA, shapeB), seed) = input;
            var a = Random(seed, shapeA);
            var b = Random(seed + 1, shapeB);
            var ab = a + b;
            var ba = b + a;
            if (!Tensor.SameShape(ab.Shape, ba.Shape) || !ab.ToArray().SequenceEqual(ba.ToArray())) return false;
            return Indices(ab.Shape).All(i => ab[i] == BroadcastRead(a, i) + BroadcastRead(b, i));
        }));
    }

    [Fact]
    public void BroadcastBinaryOps_OnTransposedOperands_MatchAnExplicitLoop()
    {
        var arb = Gen.Zip(BroadcastPairGen(), SeedGen()).ToArbitrary();
        Check.One(Quick, Prop.ForAll(arb, input =>
        {
            var ((shapeA, shapeB), seed) = input;
            // Store a reversed and view it through a full permutation, so its strides are not row-major.
            var reversed = shapeA.Reverse().ToArray();
            var dims = Enumerable.Range(0, shapeA.Length).Reverse().ToArray();
            var a = Random(seed, reversed).Permute(dims);
            var b = Random(seed + 1, shapeB);
            var sub = a - b;
            var mul = a * b;
            return Indices(sub.Shape).All(i =>
                sub[i] == BroadcastRead(a, i) - BroadcastRead(b, i) && mul[i] == BroadcastRead(a, i) * BroadcastRead(b, i));
        }));
    }

    [Fact]
    public void BroadcastAdd_GradientOfEachInputCountsItsRepeats()
    {
        var arb = BroadcastPairGen().ToArbitrary();
        Check.One(Quick, Prop.ForAll(arb, shapes =>
        {
            var a = Tensor.Zeros(shapes.A);
            var b = Tensor.Zeros(shapes.B);
            a.RequiresGrad = b.RequiresGrad = true;
            var sum = a + b;
            sum.Sum().Backward();
            float repeatsA = (float)sum.Size / a.Size, repeatsB = (float)sum.Size / b.Size;
            return a.Grad!.ToArray().All(g => g == repeatsA) && b.Grad!.ToArray().All(g => g == repeatsB);
        }));
    }

    [Fact]
    public void Reshape_RoundTrip_KeepsValuesInOrder()
    {
        var arb = Gen.Zip(ShapeGen(4, 4), SeedGen()).ToArbitrary();
        Check.One(Quick, Prop.ForAll(arb, input =>
        {
            var (shape, seed) = input;
            var x = Random(seed, shape);
            var values = x.ToArray();
            var rng = new Random(seed);
            // Another shape with the same count: split the elements into two factors, one inferred.
            var divisors = Enumerable.Range(1, x.Size).Where(d => x.Size % d == 0).ToArray();
            int first = divisors[rng.Next(divisors.Length)];
            var flat = x.Reshape(-1);
            var other = x.Reshape(first, -1);
            var back = other.Reshape(shape);
            return flat.ToArray().SequenceEqual(values) && other.ToArray().SequenceEqual(values)
                && Tensor.SameShape(back.Shape, shape) && back.ToArray().SequenceEqual(values);
        }));
    }

    [Fact]
    public void Reshape_OfPermutedView_ReadsInTheViewsOrder()
    {
        var arb = Gen.Zip(ShapeGen(4, 4), SeedGen()).ToArbitrary();
        Check.One(Quick, Prop.ForAll(arb, input =>
        {
            var (shape, seed) = input;
            var rng = new Random(seed);
            var dims = Enumerable.Range(0, shape.Length).OrderBy(_ => rng.Next()).ToArray();
            var view = Random(seed, shape).Permute(dims);
            var flat = view.Reshape(-1).ToArray();
            return Indices(view.Shape).Select(i => view[i]).SequenceEqual(flat);
        }));
    }

    [Fact]
    public void Permute_ThenInversePermute_IsIdentity()
    {
        var arb = Gen.Zip(ShapeGen(5, 3), SeedGen()).ToArbitrary();
        Check.One(Quick, Prop.ForAll(arb, input =>
        {
            var (shape, seed) = input;
            var rng = new Random(seed);
            var dims = Enumerable.Range(0, shape.Length).OrderBy(_ => rng.Next()).ToArray();
            var inverse = new int[dims.Length];
            for (int i = 0; i < dims.Length; i++) inverse[dims[i]] = i;
            var x = Random(seed, shape);
            var there = x.Permute(dims);
            var back = there.Permute(inverse);
            bool shapeMoved = dims.Select((d, i) => there.Shape[i] == shape[d]).All(ok => ok);
            return shapeMoved && ReferenceEquals(back.Data, x.Data) && Tensor.SameShape(back.Shape, x.Shape)
                && back.Strides.SequenceEqual(x.Strides) && back.ToArray().SequenceEqual(x.ToArray());
        }));
    }

    [Fact]
    public void SumOverAllDims_EqualsSumOfToArray()
    {
        var arb = (from shape in ShapeGen(4, 5) from seed in SeedGen() from keepDim in Gen.Elements(true, false) select (shape, seed, keepDim)).ToArbitrary();
        Check.One(Quick, Prop.ForAll(arb, input =>
        {
            var (shape, seed, keepDim) = input;
            var x = Random(seed, shape);
            double expected = x.ToArray().Sum(v => (double)v);
            var all = x.Sum().Item();
            var dims = Enumerable.Range(0, shape.Length).ToArray();
            var byDims = x.Sum(dims, keepDim);
            bool shapeOk = keepDim ? byDims.Shape.All(d => d == 1) && byDims.Rank == shape.Length : byDims.Rank == 0;
            return shapeOk && Math.Abs(all - expected) <= 1e-4 && Math.Abs(byDims.Item() - expected) <= 1e-4;
        }));
    }

    [Fact]
    public void SumOverOneDim_EqualsAnExplicitLoop_OnAnyView()
    {
        var arb = Gen.Zip(ShapeGen(4, 4).Where(s => s.Length > 0), SeedGen()).ToArbitrary();
        Check.One(Quick, Prop.ForAll(arb, input =>
        {
            var (shape, seed) = input;
            var x = Random(seed, shape).Transpose(0, -1);
            int dim = seed % x.Rank;
            var summed = x.Sum(dim, keepDim: true);
            return Indices(summed.Shape).All(i =>
            {
                double expected = 0;
                for (int j = 0; j < x.Shape[dim]; j++)
                {
                    var k = (int[])i.Clone();
                    k[dim] = j;
                    expected += x[k];
                }
                return Math.Abs(summed[i] - expected) <= 1e-5;
            });
        }));
    }

    [Fact]
    public void NarrowPiecesConcatenated_GiveBackTheTensor()
    {
        var arb = Gen.Zip(ShapeGen(3, 5).Where(s => s.Length > 0), SeedGen()).ToArbitrary();
        Check.One(Quick, Prop.ForAll(arb, input =>
        {
            var (shape, seed) = input;
            var x = Random(seed, shape);
            int dim = seed % shape.Length;
            int cut = new Random(seed).Next(shape[dim] + 1);
            var joined = Tensor.Concat([x.Narrow(dim, 0, cut), x.Narrow(dim, cut, shape[dim] - cut)], dim);
            var stacked = Tensor.Stack([x, x], dim);
            return Tensor.SameShape(joined.Shape, shape) && joined.ToArray().SequenceEqual(x.ToArray())
                && stacked.Select(dim, 1).ToArray().SequenceEqual(x.ToArray());
        }));
    }
}
