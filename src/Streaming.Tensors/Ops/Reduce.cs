using System.Numerics.Tensors;

namespace Streaming.Tensors;

// Reductions over one dimension, viewing the contiguous input as (outer, n, inner); several
// dimensions reduce one after another. Max and min route the gradient to the selected element.
public sealed partial class Tensor
{
    /// <summary>Sum of all elements, as a scalar tensor.</summary>
    public Tensor Sum() => Reshape(Size).Sum(0);

    public Tensor Sum(int dim, bool keepDim = false)
    {
        int d = Dim(dim);
        var (outer, n, inner) = Split(d);
        var src = Contiguous().Detach();
        var result = Zeros(ReducedShape(d, keepDim));
        var x = src.Data.AsSpan(src.Offset, src.Size);
        var y = result.Span;
        for (int o = 0; o < outer; o++)
        {
            var row = x.Slice(o * n * inner, n * inner);
            if (inner == 1) { y[o] = TensorPrimitives.Sum(row); continue; }
            var acc = y.Slice(o * inner, inner);
            for (int j = 0; j < n; j++) TensorPrimitives.Add(acc, row.Slice(j * inner, inner), acc);
        }
        var inShape = Shape;
        return Record("sum", result, [this], g => AccumulateGrad(g.Reshape(ReducedShape(d, true)).Expand(inShape).Contiguous()));
    }

    public Tensor Sum(int[] dims, bool keepDim = false) => ReduceMany(dims, keepDim, (t, d) => t.Sum(d, keepDim: true));

    /// <summary>Mean of all elements, as a scalar tensor; NaN for an empty tensor, as in PyTorch.</summary>
    public Tensor Mean() => Sum().Div(Size);

    public Tensor Mean(int dim, bool keepDim = false) => Sum(dim, keepDim).Div(Shape[Dim(dim)]);

    public Tensor Mean(int[] dims, bool keepDim = false)
    {
        int count = 1;
        foreach (var d in dims) count *= Shape[Dim(d)];
        return Sum(dims, keepDim).Div(count);
    }

    /// <summary>Maximum along a dimension; the gradient flows to the first maximal element, as <see cref="ArgMax"/> picks it.</summary>
    public Tensor Max(int dim, bool keepDim = false) => Select("max", dim, keepDim, ArgMax(dim, keepDim: true));

    public Tensor Min(int dim, bool keepDim = false) => Select("min", dim, keepDim, ArgMin(dim, keepDim: true));

    /// <summary>Maximum of all elements, as a scalar tensor.</summary>
    public Tensor Max() => Reshape(Size).Max(0);

    public Tensor Min() => Reshape(Size).Min(0);

    /// <summary>Index of the first maximum along a dimension, as integral floats (no gradient).</summary>
    public Tensor ArgMax(int dim, bool keepDim = false) => ArgReduce(dim, keepDim, greater: true);

    public Tensor ArgMin(int dim, bool keepDim = false) => ArgReduce(dim, keepDim, greater: false);

    Tensor ArgReduce(int dim, bool keepDim, bool greater)
    {
        int d = Dim(dim);
        var (outer, n, inner) = Split(d);
        if (n == 0) throw new ArgumentException($"argmax/argmin: dimension {d} of shape {Format(Shape)} is empty.");
        var src = Contiguous().Detach();
        var x = src.Data.AsSpan(src.Offset, src.Size);
        var result = Zeros(ReducedShape(d, keepDim));
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = o * n * inner + i;
                int best = 0;
                float bestValue = x[baseIndex];
                for (int j = 1; j < n; j++)
                {
                    float v = x[baseIndex + j * inner];
                    // NaN wins, as in PyTorch: it propagates instead of being skipped.
                    if (float.IsNaN(bestValue)) break;
                    if (float.IsNaN(v) || (greater ? v > bestValue : v < bestValue)) { best = j; bestValue = v; }
                }
                result.Data[o * inner + i] = best;
            }
        }
        return result;
    }

    Tensor Select(string op, int dim, bool keepDim, Tensor indices)
    {
        int d = Dim(dim);
        var (outer, n, inner) = Split(d);
        var src = Contiguous().Detach();
        var x = src.Data.AsSpan(src.Offset, src.Size);
        var result = Zeros(ReducedShape(d, keepDim));
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
                result.Data[o * inner + i] = x[o * n * inner + (int)indices.Data[o * inner + i] * inner + i];
        var inShape = Shape;
        return Record(op, result, [this], g =>
        {
            var full = Zeros(inShape);
            var gs = g.Contiguous().Span;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                    full.Data[o * n * inner + (int)indices.Data[o * inner + i] * inner + i] += gs[o * inner + i];
            AccumulateGrad(full);
        });
    }

    Tensor ReduceMany(int[] dims, bool keepDim, Func<Tensor, int, Tensor> reduceKeep)
    {
        var sorted = dims.Select(Dim).OrderByDescending(d => d).ToArray();
        for (int i = 1; i < sorted.Length; i++)
            if (sorted[i] == sorted[i - 1]) throw new ArgumentException($"reduce: dimension {sorted[i]} appears more than once in {Format(dims)} for shape {Format(Shape)}.");
        var result = this;
        foreach (var d in sorted) result = reduceKeep(result, d);
        if (!keepDim)
            foreach (var d in sorted) result = result.Squeeze(d);
        return result;
    }

    (int Outer, int N, int Inner) Split(int d) =>
        (Numel(Shape.AsSpan(0, d)), Shape[d], Numel(Shape.AsSpan(d + 1)));

    int[] ReducedShape(int d, bool keepDim)
    {
        if (keepDim)
        {
            var kept = (int[])Shape.Clone();
            kept[d] = 1;
            return kept;
        }
        return Shape.Where((_, i) => i != d).ToArray();
    }
}
