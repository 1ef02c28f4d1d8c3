namespace Streaming.Tensors;

// Sorting along one dimension. The permutation is found on the values and then applied with
// Gather, so the gradient flows back through it: each sorted element's gradient returns to the
// position it came from.
public sealed partial class Tensor
{
    /// <summary>
    /// torch.sort(x, dim, descending, stable=True): the values sorted along <paramref name="dim"/> and, for each,
    /// its index in the input (row-major over the result's shape). Equal values keep their order; NaN sorts as
    /// the largest value, as in PyTorch.
    /// </summary>
    public (Tensor Values, int[] Indices) Sort(int dim = -1, bool descending = false)
    {
        int d = Dim("sort", dim);
        var (outer, n, inner) = Split(d);
        var x = ToArray();
        var indices = new int[Size];
        var keys = new float[n];
        var order = new int[n];
        int sign = descending ? -1 : 1;
        // Ties fall back to the position, which makes the unstable Array.Sort stable.
        Comparison<int> compare = (a, b) =>
        {
            int byValue = sign * Compare(keys[a], keys[b]);
            return byValue != 0 ? byValue : a.CompareTo(b);
        };
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int start = o * n * inner + i;
                for (int j = 0; j < n; j++) { keys[j] = x[start + j * inner]; order[j] = j; }
                Array.Sort(order, compare);
                for (int j = 0; j < n; j++) indices[start + j * inner] = order[j];
            }
        return (Gather(d, indices, (int[])Shape.Clone()), indices);
    }

    /// <summary>Ascending order with NaN above every number.</summary>
    static int Compare(float a, float b) => float.IsNaN(a) ? (float.IsNaN(b) ? 0 : 1) : float.IsNaN(b) ? -1 : a.CompareTo(b);
}
