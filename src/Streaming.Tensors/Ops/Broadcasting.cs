using System.Numerics.Tensors;

namespace Streaming.Tensors;

/// <summary>NumPy broadcasting: result shapes, and summing a gradient back to an input's shape.</summary>
internal static class Broadcasting
{
    public static int[] Shape(string op, int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {Tensor.Format(a)} and {Tensor.Format(b)} do not broadcast.");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Sums <paramref name="gradient"/> over the dimensions that broadcasting added or stretched, giving <paramref name="shape"/>.</summary>
    public static Tensor SumTo(Tensor gradient, int[] shape)
    {
        if (Tensor.SameShape(gradient.Shape, shape)) return gradient;
        int lead = gradient.Rank - shape.Length;
        var g = gradient;
        for (int d = gradient.Rank - 1; d >= 0; d--)
        {
            bool added = d < lead;
            bool stretched = !added && shape[d - lead] == 1 && gradient.Shape[d] != 1;
            if (added || stretched) g = g.Sum(d, keepDim: true);
        }
        return g.Reshape(shape);
    }

    /// <summary>
    /// Applies a binary kernel over two tensors broadcast to <paramref name="outShape"/>, one
    /// innermost row at a time so each row is a vectorized span-span or span-scalar call.
    /// </summary>
    public static void Apply(Tensor a, Tensor b, int[] outShape, Span<float> output, BinaryKernel kernel)
    {
        var ea = a.BroadcastView(outShape);
        var eb = b.BroadcastView(outShape);
        int rank = outShape.Length;
        if (rank == 0)
        {
            kernel.Row(ea.Data.AsSpan(ea.Offset, 1), eb.Data.AsSpan(eb.Offset, 1), output);
            return;
        }
        int inner = outShape[rank - 1];
        if (inner == 0) return;
        int sa = ea.Strides[rank - 1], sb = eb.Strides[rank - 1];
        // Collapse to whole-buffer calls when both inputs are contiguous in the output's layout.
        if (ea.IsContiguous && eb.IsContiguous)
        {
            kernel.Row(ea.Data.AsSpan(ea.Offset, ea.Size), eb.Data.AsSpan(eb.Offset, eb.Size), output);
            return;
        }
        int rows = output.Length / inner;
        var index = new int[rank - 1];
        int pa = ea.Offset, pb = eb.Offset;
        Span<float> scratchA = sa > 1 ? new float[inner] : default;
        Span<float> scratchB = sb > 1 ? new float[inner] : default;
        for (int r = 0; r < rows; r++)
        {
            var rowOut = output.Slice(r * inner, inner);
            ReadOnlySpan<float> rowA = Row(ea.Data, pa, sa, inner, scratchA);
            ReadOnlySpan<float> rowB = Row(eb.Data, pb, sb, inner, scratchB);
            if (sa == 0 && sb == 0)
            {
                // Both rows are one repeated value: compute it once and fill the row.
                kernel.Row(rowA, rowB, rowOut[..1]);
                rowOut.Fill(rowOut[0]);
            }
            else if (sa == 0) kernel.ScalarRow(rowA[0], rowB, rowOut);
            else if (sb == 0) kernel.RowScalar(rowA, rowB[0], rowOut);
            else kernel.Row(rowA, rowB, rowOut);
            for (int d = rank - 2; d >= 0; d--)
            {
                pa += ea.Strides[d];
                pb += eb.Strides[d];
                if (++index[d] < outShape[d]) break;
                pa -= ea.Strides[d] * outShape[d];
                pb -= eb.Strides[d] * outShape[d];
                index[d] = 0;
            }
        }
    }

    static ReadOnlySpan<float> Row(float[] data, int pos, int stride, int length, Span<float> scratch)
    {
        if (stride == 1) return data.AsSpan(pos, length);
        if (stride == 0) return data.AsSpan(pos, 1);
        for (int j = 0; j < length; j++) scratch[j] = data[pos + j * stride];
        return scratch;
    }
}

/// <summary>The four arithmetic kernels as vectorized row functions (span op span, span op scalar, scalar op span).</summary>
internal enum BinaryKernel { Add, Subtract, Multiply, Divide }

internal static class BinaryKernelRows
{
    public static void Row(this BinaryKernel k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> o)
    {
        switch (k)
        {
            case BinaryKernel.Add: TensorPrimitives.Add(a, b, o); break;
            case BinaryKernel.Subtract: TensorPrimitives.Subtract(a, b, o); break;
            case BinaryKernel.Multiply: TensorPrimitives.Multiply(a, b, o); break;
            default: TensorPrimitives.Divide(a, b, o); break;
        }
    }

    public static void RowScalar(this BinaryKernel k, ReadOnlySpan<float> a, float b, Span<float> o)
    {
        switch (k)
        {
            case BinaryKernel.Add: TensorPrimitives.Add(a, b, o); break;
            case BinaryKernel.Subtract: TensorPrimitives.Subtract(a, b, o); break;
            case BinaryKernel.Multiply: TensorPrimitives.Multiply(a, b, o); break;
            default: TensorPrimitives.Divide(a, b, o); break;
        }
    }

    public static void ScalarRow(this BinaryKernel k, float a, ReadOnlySpan<float> b, Span<float> o)
    {
        switch (k)
        {
            case BinaryKernel.Add: TensorPrimitives.Add(b, a, o); break;
            case BinaryKernel.Subtract: TensorPrimitives.Subtract(a, b, o); break;
            case BinaryKernel.Multiply: TensorPrimitives.Multiply(b, a, o); break;
            default: TensorPrimitives.Divide(a, b, o); break;
        }
    }
}
