using System.Numerics.Tensors;

namespace Streaming.Tensors;

// Indexing by integer positions: each forward copies the selected elements, each backward
// scatter-adds the gradient back (an index used twice receives both gradients). Indices are int
// arrays, checked against the indexed dimension before anything is read.
public sealed partial class Tensor
{
    /// <summary>
    /// Rows of <paramref name="weight"/> (V, D) picked by token ids: the result is (idsShape..., D).
    /// An omitted <paramref name="idsShape"/> means the ids are one-dimensional.
    /// </summary>
    public static Tensor Embedding(Tensor weight, int[] ids, params int[] idsShape)
    {
        if (weight.Rank != 2) throw new ArgumentException($"embedding: weight must be (V, D), got shape {Format(weight.Shape)}.", nameof(weight));
        int[] shape = idsShape.Length == 0 ? [ids.Length] : (int[])idsShape.Clone();
        if (Numel(shape) != ids.Length)
            throw new ArgumentException($"embedding: {ids.Length} ids do not fill the ids shape {Format(shape)}.", nameof(ids));
        int rows = weight.Shape[0], dim = weight.Shape[1];
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)rows)
                throw new ArgumentOutOfRangeException(nameof(ids), $"embedding: id {ids[i]} at position {i} out of range for weight {Format(weight.Shape)} ({rows} rows).");
        var w = weight.Contiguous().Detach();
        var y = Zeros([.. shape, dim]);
        for (int i = 0; i < ids.Length; i++)
            w.Data.AsSpan(w.Offset + ids[i] * dim, dim).CopyTo(y.Data.AsSpan(i * dim, dim));
        var saved = (int[])ids.Clone();
        return Record("embedding", y, [weight], g =>
        {
            var gs = g.Contiguous();
            var dw = Zeros(weight.Shape);
            for (int i = 0; i < saved.Length; i++)
            {
                var row = dw.Data.AsSpan(saved[i] * dim, dim);
                TensorPrimitives.Add(row, gs.Data.AsSpan(gs.Offset + i * dim, dim), row);
            }
            weight.AccumulateGrad(dw);
        });
    }

    /// <summary>The slices at <paramref name="indices"/> along <paramref name="dim"/>, in that order (torch.index_select).</summary>
    public Tensor IndexSelect(int dim, int[] indices)
    {
        int d = Dim("index_select", dim);
        var (outer, n, inner) = Split(d);
        for (int k = 0; k < indices.Length; k++)
            if ((uint)indices[k] >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index_select: index {indices[k]} at position {k} out of range for dimension {d} of shape {Format(Shape)}.");
        var shape = (int[])Shape.Clone();
        shape[d] = indices.Length;
        var x = Contiguous().Detach();
        var y = Zeros(shape);
        int m = indices.Length;
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < m; k++)
                x.Data.AsSpan(x.Offset + (o * n + indices[k]) * inner, inner).CopyTo(y.Data.AsSpan((o * m + k) * inner, inner));
        var saved = (int[])indices.Clone();
        var inShape = Shape;
        return Record("index_select", y, [this], g =>
        {
            var gs = g.Contiguous();
            var dx = Zeros(inShape);
            for (int o = 0; o < outer; o++)
                for (int k = 0; k < m; k++)
                {
                    var target = dx.Data.AsSpan((o * n + saved[k]) * inner, inner);
                    TensorPrimitives.Add(target, gs.Data.AsSpan(gs.Offset + (o * m + k) * inner, inner), target);
                }
            AccumulateGrad(dx);
        });
    }

    /// <summary>
    /// torch.gather: out[i][j][k] = x[index[i][j][k]][j][k] for dim 0 (likewise for other dims). The
    /// index has this tensor's rank, shape <paramref name="indexShape"/> and no dimension larger than
    /// this tensor's, except along <paramref name="dim"/>; the result has the index's shape.
    /// </summary>
    public Tensor Gather(int dim, int[] index, int[] indexShape)
    {
        int d = Dim("gather", dim);
        if (indexShape.Length != Rank)
            throw new ArgumentException($"gather: index shape {Format(indexShape)} must have the rank of the input {Format(Shape)}.", nameof(indexShape));
        if (Numel(indexShape) != index.Length)
            throw new ArgumentException($"gather: {index.Length} indices do not fill the index shape {Format(indexShape)}.", nameof(index));
        for (int a = 0; a < Rank; a++)
            if (a != d && indexShape[a] > Shape[a])
                throw new ArgumentException($"gather: index shape {Format(indexShape)} exceeds the input {Format(Shape)} in dimension {a} (only dimension {d} may differ).", nameof(indexShape));
        // Each output element's position in the contiguous input, found by walking the index's shape.
        var strides = ContiguousStrides(Shape);
        var source = new int[index.Length];
        var at = new int[Rank];
        int pos = 0;
        for (int p = 0; p < index.Length; p++)
        {
            int k = index[p];
            if ((uint)k >= (uint)Shape[d])
                throw new ArgumentOutOfRangeException(nameof(index), $"gather: index {k} at position {p} out of range for dimension {d} of shape {Format(Shape)}.");
            source[p] = pos + k * strides[d];
            for (int a = Rank - 1; a >= 0; a--)
            {
                if (a != d) pos += strides[a];
                if (++at[a] < indexShape[a]) break;
                if (a != d) pos -= strides[a] * indexShape[a];
                at[a] = 0;
            }
        }
        var x = Contiguous().Detach();
        var y = Zeros((int[])indexShape.Clone());
        for (int p = 0; p < source.Length; p++) y.Data[p] = x.Data[x.Offset + source[p]];
        var inShape = Shape;
        return Record("gather", y, [this], g =>
        {
            var gs = g.Contiguous();
            var dx = Zeros(inShape);
            for (int p = 0; p < source.Length; p++) dx.Data[source[p]] += gs.Data[gs.Offset + p];
            AccumulateGrad(dx);
        });
    }

    /// <summary>
    /// Replaces elements with <paramref name="value"/> where <paramref name="mask"/> (0/1 floats,
    /// broadcastable to this shape) is nonzero; those elements get no gradient. The mask gets none.
    /// </summary>
    public Tensor MaskedFill(Tensor mask, float value)
    {
        bool fits = mask.Rank <= Rank;
        for (int i = 1; fits && i <= mask.Rank; i++)
            fits = mask.Shape[^i] == 1 || mask.Shape[^i] == Shape[^i];
        if (!fits) throw new ArgumentException($"masked_fill: mask {Format(mask.Shape)} does not broadcast to the input {Format(Shape)}.", nameof(mask));
        var m = mask.BroadcastView(Shape);
        var y = new Tensor(ToArray(), (int[])Shape.Clone());
        FillWhere(m, y.Data, value);
        return Record("masked_fill", y, [this], g =>
        {
            var dx = g.Clone();
            FillWhere(m, dx.Data, 0f);
            AccumulateGrad(dx);
        });
    }

    /// <summary>Sets data[i] = value wherever the mask (a view of data's shape, row-major) is nonzero.</summary>
    static void FillWhere(Tensor mask, Span<float> data, float value)
    {
        if (data.Length == 0) return;
        int rank = mask.Rank;
        if (rank == 0)
        {
            if (mask.Data[mask.Offset] != 0f) data.Fill(value);
            return;
        }
        int inner = mask.Shape[rank - 1];
        int stride = mask.Strides[rank - 1];
        var at = new int[rank - 1];
        int pos = mask.Offset;
        for (int r = 0, rows = data.Length / inner; r < rows; r++)
        {
            var row = data.Slice(r * inner, inner);
            if (stride == 0)
            {
                if (mask.Data[pos] != 0f) row.Fill(value);
            }
            else
            {
                for (int j = 0; j < inner; j++)
                    if (mask.Data[pos + j * stride] != 0f) row[j] = value;
            }
            for (int a = rank - 2; a >= 0; a--)
            {
                pos += mask.Strides[a];
                if (++at[a] < mask.Shape[a]) break;
                pos -= mask.Strides[a] * mask.Shape[a];
                at[a] = 0;
            }
        }
    }
}
