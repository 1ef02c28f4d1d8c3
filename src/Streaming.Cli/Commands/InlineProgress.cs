namespace Streaming.Cli.Commands;

/// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool and lag behind the work).</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
