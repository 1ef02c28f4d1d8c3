using System.Globalization;
using System.Text;

namespace Streaming.Tensors;

/// <summary>
/// A float32 n-dimensional array over a shared storage, with shape, strides and an offset, so that
/// reshape, transpose, narrow and expand are views rather than copies. A tensor that takes part in
/// autograd remembers the op that made it (<see cref="Op"/>), its inputs and the backward rule.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>The storage this tensor views; shared between views.</summary>
    public float[] Data { get; }

    /// <summary>Index into <see cref="Data"/> of element [0, 0, ...].</summary>
    public int Offset { get; }

    public int[] Shape { get; }

    /// <summary>Elements to skip in <see cref="Data"/> per step along each dimension (0 for an expanded one).</summary>
    public int[] Strides { get; }

    /// <summary>Number of elements.</summary>
    public int Size { get; }

    public int Rank => Shape.Length;

    /// <summary>Whether gradients flow into this tensor (parameters and everything computed from them).</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Accumulated gradient, same shape as this tensor, contiguous; null until a backward pass reaches it.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The tensor <see cref="Grad"/> was handed by a backward rule and must not be written (see <see cref="AccumulateGrad"/>).</summary>
    Tensor? borrowedGrad;

    /// <summary>Name of the op that produced this tensor ("leaf" for inputs and parameters).</summary>
    public string Op { get; private set; } = "leaf";

    internal Tensor[] Parents { get; private set; } = [];

    /// <summary>Given the gradient of the loss with respect to this tensor (contiguous, same shape), accumulates the parents' gradients.</summary>
    internal Action<Tensor>? BackwardRule { get; private set; }

    public Tensor(float[] data, int[] shape) : this(data, 0, shape, ContiguousStrides(shape))
    {
        if (data.Length != Size)
            throw new ArgumentException($"Tensor: data has {data.Length} elements but shape {Format(shape)} needs {Size}.", nameof(data));
    }

    internal Tensor(float[] data, int offset, int[] shape, int[] strides)
    {
        Data = data;
        Offset = offset;
        Shape = shape;
        Strides = strides;
        Size = Numel(shape);
    }

    /// <summary>A new contiguous tensor of zeros; inside a <see cref="TensorArena"/> scope, on the arena's storage.</summary>
    public static Tensor Zeros(params int[] shape)
    {
        int n = Numel(shape);
        return n >= TensorArena.MinFloats && TensorArena.Current is { } arena
            ? new(arena.Rent(n), 0, shape, ContiguousStrides(shape))
            : new(new float[n], shape);
    }

    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    public static Tensor Full(float value, params int[] shape)
    {
        var data = new float[Numel(shape)];
        Array.Fill(data, value);
        return new Tensor(data, shape);
    }

    public static Tensor Scalar(float value) => new([value], []);

    public static Tensor FromArray(float[] data, params int[] shape) => new(data, shape);

    /// <summary>0, 1, ..., n-1 as a float vector.</summary>
    public static Tensor Arange(int n)
    {
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = i;
        return new Tensor(data, [n]);
    }

    /// <summary>A parameter: a leaf that requires gradients.</summary>
    public static Tensor Parameter(float[] data, params int[] shape) => new(data, shape) { RequiresGrad = true };

    public bool IsContiguous
    {
        get
        {
            if (Size == 0) return true;
            int expected = 1;
            for (int d = Rank - 1; d >= 0; d--)
            {
                if (Shape[d] != 1 && Strides[d] != expected) return false;
                expected *= Shape[d];
            }
            return true;
        }
    }

    /// <summary>The elements as a span, for a contiguous tensor only.</summary>
    public Span<float> Span
    {
        get
        {
            if (!IsContiguous) throw new InvalidOperationException($"Tensor.Span: tensor of shape {Format(Shape)} is not contiguous; call Contiguous() first.");
            return Data.AsSpan(Offset, Size);
        }
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Tensor.Item: tensor of shape {Format(Shape)} has {Size} elements, not 1.");
        return Data[Offset];
    }

    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[params int[] index]
    {
        get => Data[StorageIndex(index)];
        set => Data[StorageIndex(index)] = value;
    }

    int StorageIndex(int[] index)
    {
        if (index.Length != Rank) throw new ArgumentException($"Tensor index: {index.Length} indices for a tensor of rank {Rank}.");
        int p = Offset;
        for (int d = 0; d < Rank; d++)
        {
            int i = index[d] < 0 ? index[d] + Shape[d] : index[d];
            if ((uint)i >= (uint)Shape[d]) throw new IndexOutOfRangeException($"Tensor index: {index[d]} out of range for dimension {d} of size {Shape[d]}.");
            p += i * Strides[d];
        }
        return p;
    }

    /// <summary>The elements in row-major order, copied.</summary>
    public float[] ToArray()
    {
        var result = new float[Size];
        Strided.CopyTo(this, result);
        return result;
    }

    /// <summary>A new leaf with the same values and no history.</summary>
    public Tensor Detach() => new(Data, Offset, Shape, Strides);

    /// <summary>A contiguous copy with its own storage and no history.</summary>
    public Tensor Clone() => new(ToArray(), (int[])Shape.Clone());

    /// <summary>Normalizes a possibly negative dimension index.</summary>
    public int Dim(int dim)
    {
        int d = dim < 0 ? dim + Rank : dim;
        if ((uint)d >= (uint)Rank) throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} out of range for a tensor of rank {Rank} (shape {Format(Shape)}).");
        return d;
    }

    /// <summary>
    /// Wraps the result of an op. When gradients are enabled and an input requires them, records the
    /// inputs and the backward rule so that <see cref="Backward()"/> can reach them.
    /// </summary>
    internal static Tensor Record(string op, Tensor result, Tensor[] inputs, Action<Tensor> backward)
    {
        result.Op = op;
        Anomaly.CheckForward(op, result);
        if (!GradMode.IsEnabled) return result;
        foreach (var input in inputs)
        {
            if (!input.RequiresGrad) continue;
            result.RequiresGrad = true;
            result.Parents = inputs;
            result.BackwardRule = backward;
            break;
        }
        return result;
    }

    /// <summary>
    /// Adds <paramref name="gradient"/> (this tensor's shape) into <see cref="Grad"/>. A leaf keeps a private copy, which
    /// optimizers and clipping change in place. An interior node's gradient is only read, by its own backward rule, so
    /// the first one is held as given (contiguous) instead of copied: rules hand one tensor to several parents and views
    /// pass theirs straight on, and a copy per node measured 11% of a training step. A second gradient then adds into a
    /// new tensor, never into the one borrowed.
    /// </summary>
    internal void AccumulateGrad(Tensor gradient)
    {
        if (!RequiresGrad) return;
        if (!SameShape(gradient.Shape, Shape))
            throw new InvalidOperationException($"{Op} backward: gradient of shape {Format(gradient.Shape)} for a tensor of shape {Format(Shape)}.");
        if (Grad is null)
        {
            bool borrow = BackwardRule is not null && gradient.IsContiguous;
            Grad = borrow ? gradient : gradient.Clone();
            borrowedGrad = borrow ? gradient : null;
            return;
        }
        var g = gradient.IsContiguous ? gradient : gradient.Clone();
        if (ReferenceEquals(Grad, borrowedGrad))
        {
            var sum = Zeros(Shape);
            System.Numerics.Tensors.TensorPrimitives.Add(Grad.Span, g.Span, sum.Span);
            (Grad, borrowedGrad) = (sum, null);
            return;
        }
        System.Numerics.Tensors.TensorPrimitives.Add(Grad.Span, g.Span, Grad.Span);
    }

    /// <summary>
    /// As <see cref="AccumulateGrad"/>, for a gradient its caller just allocated and hands over: the first one is kept
    /// as it is instead of copied, which saves a copy per parameter and activation in the hot backward rules.
    /// </summary>
    internal void AccumulateOwnedGrad(Tensor gradient)
    {
        if (Grad is null && RequiresGrad && gradient.Offset == 0 && gradient.IsContiguous && SameShape(gradient.Shape, Shape))
        {
            Grad = gradient;
            return;
        }
        AccumulateGrad(gradient);
    }

    /// <summary>Backpropagates from a scalar: the gradient of this tensor with respect to itself is 1.</summary>
    public void Backward()
    {
        if (Size != 1) throw new InvalidOperationException($"Backward: called on a tensor of shape {Format(Shape)}; pass the output gradient for a non-scalar.");
        Backward(Full(1f, Shape));
    }

    /// <summary>
    /// Backpropagates <paramref name="gradient"/> through the recorded graph. Leaves accumulate into
    /// <see cref="Grad"/> across calls; interior gradients are freed once passed on, as in PyTorch.
    /// </summary>
    public void Backward(Tensor gradient)
    {
        if (!RequiresGrad) throw new InvalidOperationException("Backward: this tensor does not require gradients (no parameter contributed to it, or it was computed under NoGrad).");
        var order = TopologicalOrder();
        using var noGrad = GradMode.Disable();
        using var backward = Anomaly.Backward();
        try
        {
            AccumulateGrad(gradient);
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var node = order[i];
                if (node.BackwardRule is null || node.Grad is null) continue;
                var g = node.Grad;
                node.Grad = null;
                node.BackwardRule(g);
                foreach (var p in node.Parents)
                    if (p.Grad is not null) Anomaly.CheckBackward(node.Op, p.Grad);
            }
        }
        finally
        {
            // Interior gradients never outlive a pass, even one that threw (an anomaly), so a retry starts clean.
            foreach (var node in order)
                if (node.BackwardRule is not null) node.Grad = null;
        }
    }

    List<Tensor> TopologicalOrder()
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Node, int NextParent)>();
        stack.Push((this, 0));
        visited.Add(this);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Parents.Length)
            {
                stack.Push((node, next + 1));
                var parent = node.Parents[next];
                if (parent.RequiresGrad && visited.Add(parent)) stack.Push((parent, 0));
            }
            else
            {
                order.Add(node);
            }
        }
        return order;
    }

    /// <summary>Clears the gradient.</summary>
    public void ZeroGrad() => Grad = null;

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(Format(Shape));
        if (Op != "leaf") sb.Append(" op=").Append(Op);
        if (Size <= 16)
        {
            sb.Append(" [");
            var values = ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(values[i].ToString("G6", CultureInfo.InvariantCulture));
            }
            sb.Append(']');
        }
        return sb.ToString();
    }

    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor: negative dimension in shape {Format(shape.ToArray())}.", nameof(shape));
            n *= d;
        }
        if (n > int.MaxValue) throw new ArgumentException($"Tensor: shape {Format(shape.ToArray())} has more than {int.MaxValue} elements.");
        return (int)n;
    }

    internal static int[] ContiguousStrides(int[] shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= Math.Max(shape[d], 1);
        }
        return strides;
    }

    public static bool SameShape(int[] a, int[] b) => a.AsSpan().SequenceEqual(b);

    /// <summary>Formats a shape as (2, 3, 4).</summary>
    public static string Format(int[] shape) => "(" + string.Join(", ", shape) + ")";
}
