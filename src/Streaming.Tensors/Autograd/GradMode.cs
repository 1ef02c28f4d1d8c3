namespace Streaming.Tensors;

/// <summary>
/// Whether ops record the graph for backward. Off inside <see cref="Disable"/> scopes (inference,
/// optimizer steps, backward itself). Per thread, like PyTorch's <c>torch.no_grad</c>.
/// </summary>
public static class GradMode
{
    [ThreadStatic] static int disabledDepth;

    public static bool IsEnabled => disabledDepth == 0;

    /// <summary>Records nothing until the returned scope is disposed: <c>using (GradMode.Disable()) { ... }</c>.</summary>
    public static IDisposable Disable()
    {
        disabledDepth++;
        return new Scope();
    }

    sealed class Scope : IDisposable
    {
        bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            disabledDepth--;
        }
    }
}
