namespace Streaming.Tensors;

/// <summary>Copies between strided views and contiguous buffers, one contiguous run at a time.</summary>
internal static class Strided
{
    /// <summary>Writes the elements of <paramref name="src"/> in row-major order into <paramref name="dst"/>.</summary>
    public static void CopyTo(Tensor src, Span<float> dst)
    {
        if (dst.Length < src.Size) throw new ArgumentException("Strided.CopyTo: destination too small.");
        if (src.Size == 0) return;
        if (src.IsContiguous)
        {
            src.Data.AsSpan(src.Offset, src.Size).CopyTo(dst);
            return;
        }
        int rank = src.Rank;
        int inner = src.Shape[rank - 1];
        int innerStride = src.Strides[rank - 1];
        var index = new int[Math.Max(rank - 1, 0)];
        int rows = src.Size / Math.Max(inner, 1);
        var data = src.Data;
        int pos = src.Offset;
        for (int r = 0, o = 0; r < rows; r++, o += inner)
        {
            var row = dst.Slice(o, inner);
            if (innerStride == 1) data.AsSpan(pos, inner).CopyTo(row);
            else if (innerStride == 0) row.Fill(data[pos]);
            else for (int j = 0, p = pos; j < inner; j++, p += innerStride) row[j] = data[p];
            // Advance the multi-index over the outer dimensions (odometer).
            for (int d = rank - 2; d >= 0; d--)
            {
                pos += src.Strides[d];
                if (++index[d] < src.Shape[d]) break;
                pos -= src.Strides[d] * src.Shape[d];
                index[d] = 0;
            }
        }
    }

    /// <summary>Adds the row-major <paramref name="src"/> into the strided view <paramref name="dst"/> (dst must not overlap itself).</summary>
    public static void AddInto(ReadOnlySpan<float> src, Tensor dst)
    {
        if (dst.Size == 0) return;
        int rank = dst.Rank;
        if (rank == 0) { dst.Data[dst.Offset] += src[0]; return; }
        int inner = dst.Shape[rank - 1];
        int innerStride = dst.Strides[rank - 1];
        var index = new int[rank - 1];
        int rows = dst.Size / Math.Max(inner, 1);
        var data = dst.Data;
        int pos = dst.Offset;
        for (int r = 0, o = 0; r < rows; r++, o += inner)
        {
            var row = src.Slice(o, inner);
            if (innerStride == 1)
            {
                var target = data.AsSpan(pos, inner);
                System.Numerics.Tensors.TensorPrimitives.Add(target, row, target);
            }
            else
            {
                for (int j = 0, p = pos; j < inner; j++, p += innerStride) data[p] += row[j];
            }
            for (int d = rank - 2; d >= 0; d--)
            {
                pos += dst.Strides[d];
                if (++index[d] < dst.Shape[d]) break;
                pos -= dst.Strides[d] * dst.Shape[d];
                index[d] = 0;
            }
        }
    }
}
