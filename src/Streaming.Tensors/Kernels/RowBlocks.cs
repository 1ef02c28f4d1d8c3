namespace Streaming.Tensors;

/// <summary>
/// Runs a kernel over rows [start, end) of a (rows, rowLength) buffer: in one call for small work,
/// otherwise in fixed blocks spread over the thread pool. Rows are independent, so results do not
/// depend on the number of threads.
/// </summary>
internal static class RowBlocks
{
    /// <summary>Elements per block: large enough to amortize scheduling, small enough to balance cores.</summary>
    const int BlockElements = 1 << 14;

    public static void For(int rows, int rowLength, Action<int, int> body)
    {
        if (rows <= 0) return;
        int rowsPerBlock = Math.Max(1, BlockElements / Math.Max(rowLength, 1));
        if (rows <= rowsPerBlock || Environment.ProcessorCount == 1)
        {
            body(0, rows);
            return;
        }
        int blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
        Parallel.For(0, blocks, b => body(b * rowsPerBlock, Math.Min(rows, (b + 1) * rowsPerBlock)));
    }
}
