using System.Numerics.Tensors;

namespace Streaming.Tensors;

/// <summary>
/// Rotates every (b, h, t) row of a (B, H, T, D) operand in its (i, i + D/2) planes by the angle of its position, the
/// Hugging Face rotate-half layout: y1 = x1 cos - x2 sin, y2 = x2 cos + x1 sin (sign -1 rotates back, for the
/// gradient). Rows are read and written through <see cref="AttentionLayout"/>s, so the transposed views of the
/// projections are rotated in place of a copy, and source and destination may be the same buffer.
/// </summary>
internal sealed class RotaryRotation : IParallelWork
{
    const int MinElementsPerThread = 1 << 15;

    float[] src = [], dst = [];
    AttentionLayout srcLayout, dstLayout;
    RopeTables.Table table = new(0, [], []);
    int[]? positions;
    int B, H, T, D, startPosition;
    float sign;

    /// <summary>
    /// Positions are <paramref name="startPosition"/> + t when <paramref name="positionIds"/> is null, else its entries:
    /// T of them (shared by the batch) or B*T.
    /// </summary>
    public void Run(float[] source, AttentionLayout sourceLayout, float[] destination, AttentionLayout destinationLayout,
        int batch, int heads, int length, int width, RopeTables.Table angles, int startPosition, int[]? positionIds, float direction)
    {
        (src, srcLayout, dst, dstLayout, table, positions) = (source, sourceLayout, destination, destinationLayout, angles, positionIds);
        (B, H, T, D, this.startPosition, sign) = (batch, heads, length, width, startPosition, direction);
        try
        {
            long elements = (long)batch * heads * length * width;
            WorkerThreads.Run(this, (int)Math.Clamp(elements / MinElementsPerThread, 1, Math.Min(Gemm.MaxThreads, batch * heads * length)));
        }
        finally
        {
            (src, dst, positions) = ([], [], null);
        }
    }

    public void Execute(int part, int parts)
    {
        int half = D / 2, count = B * H * T;
        Span<float> x1 = stackalloc float[half];
        Span<float> x2 = stackalloc float[half];
        for (int row = part * count / parts, end = (part + 1) * count / parts; row < end; row++)
        {
            int t = row % T, h = row / T % H, b = row / (T * H);
            int p = positions is null ? startPosition + t : positions.Length == T ? positions[t] : positions[b * T + t];
            ReadOnlySpan<float> cos = table.Cos.AsSpan(p * half, half), sin = table.Sin.AsSpan(p * half, half);
            int from = srcLayout.Row(b, h, t), to = dstLayout.Row(b, h, t);
            // The halves are copied first, so the rotation may run in place.
            src.AsSpan(from, half).CopyTo(x1);
            src.AsSpan(from + half, half).CopyTo(x2);
            Span<float> y1 = dst.AsSpan(to, half), y2 = dst.AsSpan(to + half, half);
            // y1 = x1 cos - sign x2 sin; y2 = x2 cos + sign x1 sin
            TensorPrimitives.Multiply(x2, sin, y1);
            TensorPrimitives.Multiply(y1, -sign, y1);
            TensorPrimitives.MultiplyAdd(x1, cos, y1, y1);
            TensorPrimitives.Multiply(x1, sin, y2);
            TensorPrimitives.Multiply(y2, sign, y2);
            TensorPrimitives.MultiplyAdd(x2, cos, y2, y2);
        }
    }
}
