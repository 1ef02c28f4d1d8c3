using System.Diagnostics;
using System.Reactive.Concurrency;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.FrameAnalysis;

/// <summary>The per-subscription state of <see cref="FrameAnalysisOperator.AnalyzeInBatches"/>: camera frames micro-batched into one analyzer call.</summary>
sealed class FrameAnalysisStage(IObserver<Acked<SkeletonFrame>> observer, IFrameAnalyzer analyzer, MicroBatchOptions options,
    IScheduler scheduler, IScheduler analyzerScheduler, PipelineTelemetry telemetry)
    : MicroBatchStage<Acked<VideoFrame>, Acked<SkeletonFrame>>(observer, options, scheduler, analyzerScheduler, frame => frame.Value.Stream)
{
    protected override string Noun => "frame";

    /// <summary>
    /// Counts the rejection and passes a stand-in for the frame on (<see cref="SkeletonFrame.Missing"/>), which the window
    /// builder settles with the reason: told that this sequence number will not come, it need not wait for it.
    /// </summary>
    protected override void Drop(Acked<VideoFrame> frame, Rejection rejection)
    {
        telemetry.InputRejected(frame.Value.Stream, rejection);
        var missing = SkeletonFrame.MissingFrame(frame.Value.Stream, frame.Value.CaptureTime, frame.Value.Sequence, rejection);
        Observer.OnNext(new Acked<SkeletonFrame>(missing, frame.Ack, frame.Trace));
    }

    protected override string Dropped(Acked<VideoFrame> frame, string why) =>
        $"stream {frame.Value.Stream} frame seq {frame.Value.Sequence} dropped ({Options.Policy}, capacity {Options.PerStreamCapacity}): {why}; the pose model could not keep up.";

    // Frames count as in analysis from queueing until their batch is settled, which drain and rebalance wait for.
    protected override void Queued(int delta) => telemetry.FramesInAnalysisChanged(delta);

    protected override void Finished(int size) => telemetry.FramesInAnalysisChanged(-size);

    protected override Action Compute(List<Acked<VideoFrame>> batch, DateTimeOffset dispatched)
    {
        var started = Stopwatch.GetTimestamp();
        var results = analyzer.Analyze(batch.ConvertAll(frame => frame.Value));
        if (results.Count != batch.Count)
            throw new InvalidOperationException($"frame analyzer {analyzer.Id} returned {results.Count} results for a batch of {batch.Count} frames.");
        telemetry.ModelRan(analyzer.Id, Stopwatch.GetElapsedTime(started));
        return () =>
        {
            for (int i = 0; i < batch.Count; i++)
            {
                if (results[i].IsValid) Observer.OnNext(new Acked<SkeletonFrame>(results[i].Value!, batch[i].Ack, batch[i].Trace));
                else Drop(batch[i], results[i].Rejection!);
            }
        };
    }

    protected override void Fail(List<Acked<VideoFrame>> batch, Exception failure)
    {
        PipelineLog.AnalyzerFailed(telemetry.Logger, failure, analyzer.Id, batch.Count);
        foreach (var frame in batch)
            Drop(frame, new Rejection(RejectionReason.PoseFailed,
                $"frame analyzer {analyzer.Id} failed on the batch holding stream {frame.Value.Stream} frame seq {frame.Value.Sequence}: {failure.Message}"));
    }
}
