namespace Streaming.Tensors;

// Movement ops: views (reshape, permute, narrow, expand, squeeze) share storage with their input;
// contiguous, concat and stack copy. Each backward maps the output gradient back to the input's shape.
public sealed partial class Tensor
{
    /// <summary>The same elements in a new shape; one dimension may be -1. A view when contiguous, otherwise a copy.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var target = InferShape(shape);
        if (SameShape(target, Shape)) return this;
        var source = IsContiguous ? this : Contiguous();
        var view = new Tensor(source.Data, source.Offset, target, ContiguousStrides(target));
        var inShape = Shape;
        return Record("reshape", view, [source], g => source.AccumulateGrad(g.Reshape(inShape)));
    }

    int[] InferShape(int[] shape)
    {
        var result = (int[])shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < result.Length; i++)
        {
            if (result[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"reshape: more than one -1 in {Format(shape)}.");
                infer = i;
            }
            else known *= result[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Size % known != 0) throw new ArgumentException($"reshape: cannot reshape {Format(Shape)} ({Size} elements) into {Format(shape)}.");
            result[infer] = (int)(Size / known);
        }
        else if (known != Size) throw new ArgumentException($"reshape: cannot reshape {Format(Shape)} ({Size} elements) into {Format(shape)}.");
        return result;
    }

    /// <summary>A contiguous tensor with the same values (this one if already contiguous).</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        var result = new Tensor(ToArray(), (int[])Shape.Clone());
        return Record("contiguous", result, [this], g => AccumulateGrad(g));
    }

    /// <summary>Reorders dimensions: result dimension i is input dimension dims[i]. A view.</summary>
    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Rank) throw new ArgumentException($"permute: {dims.Length} dims given for a tensor of shape {Format(Shape)}.");
        var shape = new int[Rank];
        var strides = new int[Rank];
        var inverse = new int[Rank];
        var seen = new bool[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int d = Dim(dims[i]);
            if (seen[d]) throw new ArgumentException($"permute: dimension {d} repeated in {Format(dims)}.");
            seen[d] = true;
            shape[i] = Shape[d];
            strides[i] = Strides[d];
            inverse[d] = i;
        }
        var view = new Tensor(Data, Offset, shape, strides);
        return Record("permute", view, [this], g => AccumulateGrad(g.Permute(inverse).Contiguous()));
    }

    /// <summary>Swaps two dimensions. A view.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        var dims = new int[Rank];
        for (int i = 0; i < Rank; i++) dims[i] = i;
        (dims[Dim(dim0)], dims[Dim(dim1)]) = (dims[Dim(dim1)], dims[Dim(dim0)]);
        return Permute(dims);
    }

    /// <summary>The transpose of a matrix.</summary>
    public Tensor T => Rank == 2 ? Transpose(0, 1) : throw new InvalidOperationException($"T: needs a matrix, got shape {Format(Shape)}.");

    /// <summary>Elements start..start+length-1 along <paramref name="dim"/>. A view.</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        int d = Dim(dim);
        if (start < 0) start += Shape[d];
        if (start < 0 || length < 0 || start + length > Shape[d])
            throw new ArgumentOutOfRangeException(nameof(start), $"narrow: [{start}, {start + length}) out of range for dimension {d} of shape {Format(Shape)}.");
        var shape = (int[])Shape.Clone();
        shape[d] = length;
        var view = new Tensor(Data, Offset + start * Strides[d], shape, Strides);
        var inShape = Shape;
        return Record("narrow", view, [this], g =>
        {
            var full = Zeros(inShape);
            Strided.AddInto(g.Span, full.Narrow(d, start, length));
            AccumulateGrad(full);
        });
    }

    /// <summary>The slice at <paramref name="index"/> along <paramref name="dim"/>, with that dimension removed. A view.</summary>
    public Tensor Select(int dim, int index)
    {
        int d = Dim(dim);
        int i = index < 0 ? index + Shape[d] : index;
        // Checked here: Narrow would wrap a still-negative index a second time.
        if (i < 0 || i >= Shape[d])
            throw new ArgumentOutOfRangeException(nameof(index), $"select: index {index} out of range for dimension {d} of shape {Format(Shape)}.");
        return Narrow(d, i, 1).Squeeze(d);
    }

    /// <summary>Removes a dimension of size 1. A view.</summary>
    public Tensor Squeeze(int dim)
    {
        int d = Dim(dim);
        if (Shape[d] != 1) throw new ArgumentException($"squeeze: dimension {d} of shape {Format(Shape)} is not 1.");
        var shape = Shape.Where((_, i) => i != d).ToArray();
        var strides = Strides.Where((_, i) => i != d).ToArray();
        var view = new Tensor(Data, Offset, shape, strides);
        var inShape = Shape;
        return Record("squeeze", view, [this], g => AccumulateGrad(g.Reshape(inShape)));
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/> (which may equal the rank). A view.</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = dim < 0 ? dim + Rank + 1 : dim;
        if (d < 0 || d > Rank) throw new ArgumentOutOfRangeException(nameof(dim), $"unsqueeze: dimension {dim} out of range for shape {Format(Shape)}.");
        var shape = Shape.ToList();
        var strides = Strides.ToList();
        shape.Insert(d, 1);
        strides.Insert(d, d < Rank ? Strides[d] * Shape[d] : 1);
        var view = new Tensor(Data, Offset, [.. shape], [.. strides]);
        var inShape = Shape;
        return Record("unsqueeze", view, [this], g => AccumulateGrad(g.Reshape(inShape)));
    }

    /// <summary>Broadcasts to <paramref name="shape"/> (size-1 dims repeat, new leading dims added; -1 keeps). A view with stride 0.</summary>
    public Tensor Expand(params int[] shape)
    {
        var view = BroadcastView(shape);
        if (ReferenceEquals(view, this)) return this;
        var inShape = Shape;
        return Record("expand", view, [this], g => AccumulateGrad(Broadcasting.SumTo(g, inShape)));
    }

    /// <summary>The unrecorded strided view behind <see cref="Expand"/>; kernels use it to walk broadcast inputs.</summary>
    internal Tensor BroadcastView(int[] shape)
    {
        if (shape.Length < Rank) throw new ArgumentException($"expand: cannot expand {Format(Shape)} to fewer dimensions {Format(shape)}.");
        int lead = shape.Length - Rank;
        var outShape = new int[shape.Length];
        var strides = new int[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            if (i < lead)
            {
                if (shape[i] < 0) throw new ArgumentException($"expand: -1 not allowed for a new leading dimension in {Format(shape)}.");
                outShape[i] = shape[i];
                continue;
            }
            int own = Shape[i - lead];
            int want = shape[i] == -1 ? own : shape[i];
            if (own == want) { outShape[i] = own; strides[i] = Strides[i - lead]; }
            else if (own == 1) outShape[i] = want;
            else throw new ArgumentException($"expand: cannot expand {Format(Shape)} to {Format(shape)}.");
        }
        return SameShape(outShape, Shape) ? this : new Tensor(Data, Offset, outShape, strides);
    }

    /// <summary>Joins tensors along an existing dimension; all other dimensions must match.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int dim)
    {
        if (tensors.Count == 0) throw new ArgumentException("concat: no tensors given.");
        var first = tensors[0];
        int d = first.Dim(dim);
        var shape = (int[])first.Shape.Clone();
        shape[d] = 0;
        foreach (var t in tensors)
        {
            if (t.Rank != first.Rank) throw new ArgumentException($"concat: shapes {Format(first.Shape)} and {Format(t.Shape)} differ in rank.");
            for (int i = 0; i < t.Rank; i++)
                if (i != d && t.Shape[i] != first.Shape[i])
                    throw new ArgumentException($"concat: shapes {Format(first.Shape)} and {Format(t.Shape)} differ outside dimension {d}.");
            shape[d] += t.Shape[d];
        }
        var result = Zeros(shape);
        int outer = Numel(shape.AsSpan(0, d));
        int inner = Numel(shape.AsSpan(d + 1));
        int rowOut = shape[d] * inner;
        int at = 0;
        foreach (var t in tensors)
        {
            var src = t.IsContiguous ? t.Data.AsSpan(t.Offset, t.Size) : t.ToArray();
            int run = t.Shape[d] * inner;
            for (int o = 0; o < outer; o++)
                src.Slice(o * run, run).CopyTo(result.Data.AsSpan(o * rowOut + at, run));
            at += run;
        }
        var inputs = tensors.ToArray();
        return Record("concat", result, inputs, g =>
        {
            int start = 0;
            foreach (var t in inputs)
            {
                if (t.RequiresGrad) t.AccumulateGrad(g.Narrow(d, start, t.Shape[d]).Contiguous());
                start += t.Shape[d];
            }
        });
    }

    /// <summary>Joins same-shaped tensors along a new dimension.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim)
    {
        if (tensors.Count == 0) throw new ArgumentException("stack: no tensors given.");
        return Concat(tensors.Select(t => t.Unsqueeze(dim)).ToArray(), dim < 0 ? dim + tensors[0].Rank + 1 : dim);
    }
}
