using System.Reactive.Linq;
using System.Reactive.Subjects;

namespace Streaming.Pipeline.Windowing;

/// <summary>
/// Ends streams whose input has moved elsewhere (for Kafka: their partition was revoked in a rebalance) without settling
/// what they hold: the frames still waiting for a window are neither published nor dead-lettered here, because the
/// stream's new owner reads them again from the last commit and forms those windows. The stream's window state goes, so
/// a later return of the stream starts afresh instead of rejecting the re-read frames as duplicates.
/// </summary>
/// <remarks>Call <see cref="HandOff"/> from the thread that feeds the pipeline, between inputs (Kafka: the rebalance callback).</remarks>
public sealed class StreamHandoff
{
    readonly Subject<string> handedOff = new();
    readonly HashSet<string> ending = new(StringComparer.Ordinal);

    /// <summary>Ends the state of each of <paramref name="streams"/> that has some; the others are ignored.</summary>
    public void HandOff(IEnumerable<string> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        foreach (var stream in streams)
        {
            // The stream's group completes synchronously inside OnNext; the mark tells its window operator why.
            lock (ending) ending.Add(stream);
            handedOff.OnNext(stream);
            lock (ending) ending.Remove(stream);
        }
    }

    /// <summary>Fires when <paramref name="stream"/> is handed off.</summary>
    internal IObservable<string> Of(string stream) => handedOff.Where(s => s == stream);

    /// <summary>Whether <paramref name="stream"/>'s group is ending because it was handed off (not because it went idle).</summary>
    internal bool IsHandingOff(string stream)
    {
        lock (ending) return ending.Contains(stream);
    }
}
