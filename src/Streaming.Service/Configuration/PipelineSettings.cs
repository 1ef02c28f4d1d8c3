using Streaming.Pipeline.Inference;
using Streaming.Pipeline;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Windowing;

namespace Streaming.Service.Configuration;

/// <summary>What the input topics carry.</summary>
public enum PipelineInput
{
    /// <summary>Skeleton JSON (schemas/skeleton-frame.v1.schema.json) through the baseline recognizer and anticipator.</summary>
    Skeletons,

    /// <summary>Action events (schemas/action-event.v1.schema.json) through ActionLLM.</summary>
    ActionLabels,

    /// <summary>
    /// Camera frames (JPEG or rgb24 with the VideoFrame headers) through the pose model of <see cref="VideoSettings"/>, whose
    /// coco17 skeletons go to the skeleton model of <see cref="PipelineSettings.Model"/> (a 2-D one: samples/llm-ar-2d).
    /// </summary>
    Frames,
}

/// <summary>The pipeline's settings (section <c>Pipeline</c> of appsettings.json, <c>STREAMING_Pipeline__…</c>, or flags).</summary>
public sealed record PipelineSettings
{
    public const string SectionName = "Pipeline";

    public PipelineInput Input { get; init; } = PipelineInput.Skeletons;

    /// <summary>
    /// ActionLLM checkpoint folder (`streaming train anticipator --out`): the model of <see cref="PipelineInput.ActionLabels"/>
    /// input; with skeleton or frame input, the anticipator of <see cref="Model"/>'s recognitions in place of its own (it must
    /// know every action the recognizer names).
    /// </summary>
    public string Anticipator { get; init; } = "";

    /// <summary>
    /// ActionLLM's time scale: the expected length of one activity (a stream's events from its first until it goes
    /// idle), which the model's durations are fractions of. The mean 50 Salads video is 385 s.
    /// </summary>
    public double ActivitySeconds { get; init; } = 385;

    /// <summary>Action-label input: events per window (1: a prediction for every event).</summary>
    public int EventsPerWindow { get; init; } = 1;

    /// <summary>
    /// Model folder of skeleton input: the baseline models (pose-classifier.safetensors and anticipator.json) of `streaming train baseline`,
    /// the MSR Action3D MLP (mlp.json, mlp.safetensors) of `streaming train mlp`, or LLM-AR (llm-ar.json, with anticipator.json
    /// when trained on UTKinect) of `streaming train llm-ar`, told apart by their files.
    /// </summary>
    public string Model { get; init; } = Path.Combine("samples", "baseline");

    /// <summary>The model of <see cref="PipelineInput.Frames"/> when <see cref="Model"/> is not configured: LLM-AR on the image plane, which serves coco17.</summary>
    public static readonly string DefaultFrameModel = Path.Combine("samples", "llm-ar-2d");

    /// <summary>Skeleton frames per window; 0: the length the model was trained on (<see cref="ITrainedWindow"/>), else <see cref="DefaultWindowFrames"/>.</summary>
    public int WindowFrames { get; init; }

    public const int DefaultWindowFrames = 15;

    /// <summary>These settings with the window length resolved for <paramref name="model"/>.</summary>
    public PipelineSettings ForModel(IActionModel model) => WindowFrames != 0 ? this
        : this with { WindowFrames = model is ITrainedWindow { WindowFrames: > 0 } trained ? trained.WindowFrames : DefaultWindowFrames };
    public int HopFrames { get; init; } = 3;
    public int ReorderBound { get; init; } = 8;
    public double IdleTimeoutSeconds { get; init; } = 30;
    public double MaxFutureSkewSeconds { get; init; } = 5;
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>
    /// How long a window may wait for its micro-batch to fill while the model is idle. 0: none, the model takes what
    /// waits as soon as it is free (batches grow with the load); see <see cref="MicroBatchOptions.MaxWait"/>.
    /// </summary>
    public double MaxWaitMs { get; init; }

    public int PerStreamCapacity { get; init; } = 8;
    public BackpressurePolicy Backpressure { get; init; } = BackpressurePolicy.DropOldest;
    public int SmoothingWindows { get; init; } = 1;

    /// <summary>How far ahead the baseline anticipator looks (ActionLLM's future ends where its queries say "None").</summary>
    public double HorizonSeconds { get; init; } = 20;

    /// <summary>Throws unless ActionLLM's activity length (<see cref="ActivitySeconds"/>) is positive.</summary>
    public void ValidateActivity()
    {
        if (!(ActivitySeconds > 0)) throw new ArgumentException($"configuration section '{SectionName}': ActivitySeconds must be positive, got {ActivitySeconds}.");
    }

    /// <summary>The options of the action-label pipeline; throws on values that cannot work.</summary>
    public ActionLabelPipelineOptions ToActionOptions()
    {
        ValidateActivity();
        var options = new ActionLabelPipelineOptions
        {
            Window = new ActionWindowOptions
            {
                EventsPerWindow = EventsPerWindow,
                IdleTimeout = TimeSpan.FromSeconds(IdleTimeoutSeconds),
                MaxFutureSkew = TimeSpan.FromSeconds(MaxFutureSkewSeconds),
            },
            Batching = Batching(),
        };
        Validate(options.Window.Validate, options.Batching.Validate);
        return options;
    }

    /// <summary>Runs the options' own checks, naming this section in what they throw.</summary>
    static void Validate(params Action[] checks)
    {
        try
        {
            foreach (var check in checks) check();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"configuration section '{SectionName}': {e.Message}", e);
        }
    }

    MicroBatchOptions Batching() => new()
    {
        MaxBatchSize = MaxBatchSize, MaxWait = TimeSpan.FromMilliseconds(MaxWaitMs), PerStreamCapacity = PerStreamCapacity, Policy = Backpressure,
    };

    /// <summary>The options of the frame pipeline: the pose stage's from <paramref name="video"/>, then the skeleton pipeline's.</summary>
    public FramePipelineOptions ToFrameOptions(VideoSettings video)
    {
        ArgumentNullException.ThrowIfNull(video);
        var options = new FramePipelineOptions
        {
            MaxFrameBytes = video.MaxFrameBytes,
            Analysis = new MicroBatchOptions { MaxBatchSize = video.PoseBatchSize, PerStreamCapacity = video.FramesQueuedPerStream, Policy = Backpressure },
            Skeletons = ToOptions(),
        };
        try
        {
            options.Analysis.Validate();
            ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFrameBytes, 1, nameof(video.MaxFrameBytes));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"configuration section '{VideoSettings.SectionName}': {e.Message}", e);
        }
        return options;
    }

    public SkeletonPipelineOptions ToOptions()
    {
        if (HorizonSeconds <= 0) throw new ArgumentException($"Pipeline:HorizonSeconds must be positive, got {HorizonSeconds}.");
        var options = new SkeletonPipelineOptions
        {
            Window = WindowOptions.ByFrames(WindowFrames == 0 ? DefaultWindowFrames : WindowFrames, HopFrames) with
            {
                ReorderBound = ReorderBound,
                IdleTimeout = TimeSpan.FromSeconds(IdleTimeoutSeconds),
                MaxFutureSkew = TimeSpan.FromSeconds(MaxFutureSkewSeconds),
            },
            Batching = Batching(),
            SmoothingWindows = SmoothingWindows,
        };
        Validate(options.Window.Validate, options.Batching.Validate);
        return options;
    }
}
