using System.Reactive.Linq;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;

namespace Streaming.Pipeline.Results;

public static class SmoothingOperator
{
    /// <summary>
    /// Rolling results: each stream's recognized action becomes the mean of the top-k distributions of its
    /// last <paramref name="windows"/> windows (a label missing from a window's top-k counts as 0 there),
    /// so one noisy window does not flip the label. 1 leaves predictions as they are. State is kept for the
    /// <paramref name="maxStreams"/> most recently seen streams.
    /// </summary>
    public static IObservable<PendingOutput> Smooth(this IObservable<PendingOutput> source, int windows, int maxStreams = 4096)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(windows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStreams, 1);
        if (windows == 1) return source;
        return Observable.Defer(() =>
        {
            var history = new Dictionary<string, Queue<RecognizedAction>>();
            var recency = new LinkedList<string>();
            var nodes = new Dictionary<string, LinkedListNode<string>>();
            return source.Select(output =>
            {
                var stream = output.Prediction.Stream;
                if (nodes.Remove(stream, out var node)) recency.Remove(node);
                nodes[stream] = recency.AddLast(stream);
                if (recency.Count > maxStreams)
                {
                    var evicted = recency.First!.Value;
                    recency.RemoveFirst();
                    nodes.Remove(evicted);
                    history.Remove(evicted);
                }
                if (!history.TryGetValue(stream, out var recent)) history[stream] = recent = new();
                recent.Enqueue(output.Prediction.Recognized);
                if (recent.Count > windows) recent.Dequeue();
                return output.WithPrediction(output.Prediction with { Recognized = Mean(recent, output.Prediction.Recognized.TopK.Count) });
            });
        });
    }

    static RecognizedAction Mean(IReadOnlyCollection<RecognizedAction> recent, int topK)
    {
        var sums = new Dictionary<string, double>();
        foreach (var action in recent)
        {
            var labels = action.TopK.Count > 0 ? action.TopK : [new LabelProbability(action.Label, action.Probability)];
            foreach (var lp in labels) sums[lp.Label] = sums.GetValueOrDefault(lp.Label) + lp.Probability;
        }
        var ranked = sums.Select(kv => new LabelProbability(kv.Key, kv.Value / recent.Count))
            .OrderByDescending(lp => lp.Probability).ThenBy(lp => lp.Label, StringComparer.Ordinal).ToList();
        return new RecognizedAction(ranked[0].Label, ranked[0].Probability, ranked.Take(Math.Max(topK, 1)).ToList());
    }
}
