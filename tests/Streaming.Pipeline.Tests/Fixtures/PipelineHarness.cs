using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.Tests.Fixtures;

/// <summary>
/// A pipeline under test in virtual time: its input subject, the pipeline and model clocks, the acknowledgements,
/// its telemetry and what it published. A subclass builds the pipeline on <see cref="Input"/> and passes it to <see cref="Run"/>.
/// </summary>
public abstract class PipelineHarness(DateTimeOffset clockStart, DateTimeOffset modelClockStart) : IDisposable
{
    public HistoricalScheduler Clock { get; } = new(clockStart);
    public HistoricalScheduler ModelClock { get; } = new(modelClockStart);
    public Subject<InputMessage> Input { get; } = new();
    public AckLog Acks { get; } = new();
    public PipelineTelemetry Telemetry { get; } = new();
    public List<ActionPrediction> Published { get; } = [];
    public bool Completed { get; private set; }

    /// <summary>Runs the pipeline's published outputs, noting when it completes.</summary>
    protected void Run(IObservable<ActionPrediction> published) => published.Subscribe(_ => { }, () => Completed = true);

    /// <summary>Completes the input and runs both clocks until the pipeline has drained.</summary>
    public void Drain()
    {
        Input.OnCompleted();
        for (int i = 0; i < 100 && !Completed; i++)
        {
            ModelClock.AdvanceBy(TimeSpan.FromTicks(1));
            Clock.AdvanceBy(TimeSpan.FromSeconds(1));
        }
        Assert.True(Completed);
    }

    public void Dispose()
    {
        Telemetry.Dispose();
        GC.SuppressFinalize(this);
    }
}
