using Microsoft.Extensions.Configuration;
using Streaming.Pipeline;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Windowing;

namespace Streaming.Cli.Hosting;

/// <summary>The pipeline's settings (section <c>Pipeline</c> of appsettings.json, <c>STREAMING_Pipeline__…</c>, or flags).</summary>
public sealed record PipelineSettings
{
    public const string SectionName = "Pipeline";

    /// <summary>Folder of the baseline models (pose-classifier.safetensors and anticipator.json), as `streaming train baseline` writes it.</summary>
    public string Model { get; init; } = Path.Combine("samples", "baseline");

    public int WindowFrames { get; init; } = 15;
    public int HopFrames { get; init; } = 3;
    public int ReorderBound { get; init; } = 8;
    public double IdleTimeoutSeconds { get; init; } = 30;
    public double MaxFutureSkewSeconds { get; init; } = 5;
    public int MaxBatchSize { get; init; } = 32;
    public double MaxWaitMs { get; init; } = 20;
    public int PerStreamCapacity { get; init; } = 8;
    public BackpressurePolicy Backpressure { get; init; } = BackpressurePolicy.DropOldest;
    public int SmoothingWindows { get; init; } = 1;

    /// <summary>How far ahead the anticipator looks.</summary>
    public double HorizonSeconds { get; init; } = 20;

    public static PipelineSettings FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        try
        {
            return section.Get<PipelineSettings>() ?? new PipelineSettings();
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"configuration section '{SectionName}': {e.Message}", e);
        }
    }

    public SkeletonPipelineOptions ToOptions()
    {
        if (HorizonSeconds <= 0) throw new ArgumentException($"Pipeline:HorizonSeconds must be positive, got {HorizonSeconds}.");
        var options = new SkeletonPipelineOptions
        {
            Window = WindowOptions.ByFrames(WindowFrames, HopFrames) with
            {
                ReorderBound = ReorderBound,
                IdleTimeout = TimeSpan.FromSeconds(IdleTimeoutSeconds),
                MaxFutureSkew = TimeSpan.FromSeconds(MaxFutureSkewSeconds),
            },
            FeatureFrames = WindowFrames,
            Batching = new MicroBatchOptions
            {
                MaxBatchSize = MaxBatchSize, MaxWait = TimeSpan.FromMilliseconds(MaxWaitMs), PerStreamCapacity = PerStreamCapacity, Policy = Backpressure,
            },
            SmoothingWindows = SmoothingWindows,
        };
        try
        {
            options.Window.Validate();
            options.Batching.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"configuration section '{SectionName}': {e.Message}", e);
        }
        return options;
    }
}
