using System.Reactive.Concurrency;
using Streaming.Pipeline.FrameAnalysis;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Results;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline;

public static class FramePipeline
{
    /// <summary>
    /// Camera frames to outputs: read each frame from its headers, micro-batch frames across streams through the frame
    /// analyzer (decode and pose, one call per batch) on <paramref name="analyzerScheduler"/>, and from there on exactly the
    /// skeleton pipeline: group by stream, window the coco17 skeletons, micro-batch windows into the model, smooth. Every
    /// input's token settles exactly once, as in <see cref="SkeletonPipeline.Predict"/>; each output carries the
    /// keypoints of its window's last frame (<see cref="Contracts.ActionPrediction.LastFrame"/>).
    /// </summary>
    public static IObservable<PendingOutput> PredictFromFrames(this IObservable<InputMessage> input, IFrameAnalyzer analyzer, IActionModel model, FramePipelineOptions options,
        IScheduler scheduler, IScheduler analyzerScheduler, IScheduler modelScheduler, PipelineTelemetry telemetry, StreamHandoff? handoff = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return input
            .ParseVideoFrames(telemetry, options.MaxFrameBytes)
            .AnalyzeInBatches(analyzer, options.Analysis, scheduler, analyzerScheduler, telemetry)
            .WindowPerStream(options.Skeletons.Window, scheduler, telemetry, handoff)
            .InferInBatches(model, options.Skeletons.Batching, scheduler, modelScheduler, telemetry)
            .Smooth(options.Skeletons.SmoothingWindows);
    }
}
