using System.Globalization;
using System.Reactive.Linq;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Results;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests;

public class SkeletonPipelineTests
{
    sealed class Harness : PipelineHarness
    {
        public Harness(SkeletonPipelineOptions options) : base(SkeletonFrames.T0, SkeletonFrames.T0) =>
            Run(Input.Predict(new MotionModel(), options, Clock, ModelClock, Telemetry).SinkTo(Published.Add));
    }

    static readonly SkeletonPipelineOptions Small = new()
    {
        Window = WindowOptions.ByFrames(4, 2) with { ReorderBound = 2 },
        Batching = new MicroBatchOptions { MaxBatchSize = 2, MaxWait = TimeSpan.FromMilliseconds(50), PerStreamCapacity = 64 },
    };

    [Fact]
    public void Predict_EachBadInputKind_DeadLetteredWithItsReason()
    {
        using var h = new Harness(Small);
        var good = new List<int>();
        void Good(long seq)
        {
            h.Input.OnNext(SkeletonFrames.Message(SkeletonFrames.At30Fps("cam-1", seq), h.Acks, out var id));
            good.Add(id);
        }
        int Bad(string json)
        {
            h.Input.OnNext(SkeletonFrames.Message("cam-1", json, h.Acks, out var id));
            return id;
        }
        int BadFrame(SkeletonFrame frame)
        {
            h.Input.OnNext(SkeletonFrames.Message(frame, h.Acks, out var id));
            return id;
        }
        for (int s = 0; s < 6; s++) Good(s);
        var expected = new Dictionary<int, string>
        {
            [Bad("{\"schema\":1,\"stream\":")] = "not-json",
            [Bad(SkeletonFrames.Json(schema: "2"))] = "schema-version",
            [Bad(SkeletonFrames.Json(joints: 21))] = "joint-count",
            [Bad(SkeletonFrames.Json(jointValue: "[NaN,0,0,1]"))] = "non-finite",
            [Bad(SkeletonFrames.Json(jointValue: "[0,1e39,0,1]"))] = "non-finite",
            [Bad(SkeletonFrames.Json(layout: "\"mocap31\""))] = "unknown-layout",
            [Bad("{\"pad\":\"" + new string('x', SkeletonFrameJson.DefaultMaxBytes) + "\"}")] = "oversized",
            [BadFrame(SkeletonFrames.Make("cam-1", 6, SkeletonFrames.T0.AddDays(1)))] = "future-timestamp",
            [BadFrame(SkeletonFrames.At30Fps("cam-1", 3))] = "duplicate",
            [BadFrame(SkeletonFrames.At30Fps("cam-1", 1, amplitude: 0.9f))] = "duplicate",
        };
        for (int s = 7; s < 12; s++) Good(s);
        expected[BadFrame(SkeletonFrames.At30Fps("cam-1", 6))] = "late"; // 7..9 filled the reorder buffer past its bound of 2
        h.Drain();
        Assert.All(expected, kv => Assert.Equal(kv.Value, h.Acks.ReasonOf(kv.Key)));
        // Windows 0 1 2 3 | 2 3 4 5 | 4 5 7 8 | 7 8 9 10; seq 6 was given up on, 11 never filled a window.
        Assert.Equal([0L, 1, 2, 3], h.Published.Select(p => p.WindowId).Order());
        Assert.All(good.Take(10), id => Assert.True(h.Acks.Single(id).Contributed));
        Assert.Equal("incomplete-window", h.Acks.ReasonOf(good[10]));
    }

    /// <summary>A random input: streams interleaved, with duplicates, swaps, garbage, future times, idle gaps and a slow model.</summary>
    sealed record Scenario(int Seed, int Messages, int Streams, int Length, int Hop, int Capacity, int Batch, BackpressurePolicy Policy, bool ByTime, int Smoothing);

    static readonly Gen<Scenario> Scenarios =
        from seed in Gen.Choose(0, int.MaxValue - 1)
        from messages in Gen.Choose(0, 120)
        from streams in Gen.Choose(1, 3)
        from length in Gen.Choose(1, 6)
        from hop in Gen.Choose(1, length)
        from capacity in Gen.Choose(1, 3)
        from batch in Gen.Choose(1, 4)
        from policy in Gen.Elements(BackpressurePolicy.DropOldest, BackpressurePolicy.DropNewest)
        from byTime in Gen.Elements(false, true)
        from smoothing in Gen.Choose(1, 3)
        select new Scenario(seed, messages, streams, length, hop, capacity, batch, policy, byTime, smoothing);

    static bool EveryInputSettlesExactlyOnce(Scenario s)
    {
        var window = s.ByTime
            ? WindowOptions.ByTime(TimeSpan.FromMilliseconds(s.Length * 40), TimeSpan.FromMilliseconds(s.Hop * 40))
            : WindowOptions.ByFrames(s.Length, s.Hop);
        var options = new SkeletonPipelineOptions
        {
            Window = window with { ReorderBound = 2, IdleTimeout = TimeSpan.FromSeconds(2) },
            SmoothingWindows = s.Smoothing,
            Batching = new MicroBatchOptions { MaxBatchSize = s.Batch, MaxWait = TimeSpan.FromMilliseconds(30), PerStreamCapacity = s.Capacity, Policy = s.Policy },
        };
        using var h = new Harness(options);
        var rng = new Random(s.Seed);
        var next = new long[s.Streams];
        for (int m = 0; m < s.Messages; m++)
        {
            h.Clock.AdvanceBy(TimeSpan.FromMilliseconds(rng.Next(0, 40) + (rng.Next(30) == 0 ? 5000 : 0)));
            if (rng.Next(3) == 0) h.ModelClock.AdvanceBy(TimeSpan.FromTicks(1)); // the model keeps up only now and then
            int stream = rng.Next(s.Streams);
            long seq = rng.Next(6) switch
            {
                0 when next[stream] > 0 => next[stream] - 1 - rng.Next((int)Math.Min(next[stream], 4)), // repeat or late
                1 => next[stream] + 1, // jump ahead: the reorder buffer waits for the gap
                _ => next[stream],
            };
            next[stream] = Math.Max(next[stream], seq + 1);
            var time = h.Clock.Now + (rng.Next(25) == 0 ? TimeSpan.FromHours(1) : TimeSpan.FromMilliseconds(-rng.Next(0, 20)));
            var frame = SkeletonFrames.Make("s" + stream.ToString(CultureInfo.InvariantCulture), seq, time);
            h.Input.OnNext(rng.Next(15) == 0
                ? SkeletonFrames.Message(frame.Stream, "{\"schema\":1,", h.Acks, out _)
                : SkeletonFrames.Message(frame, h.Acks, out _));
        }
        h.Drain();
        return Enumerable.Range(0, h.Acks.Count).All(id => h.Acks.Outcomes(id).Count == 1);
    }

    [Fact]
    public void Predict_RandomInputs_EveryInputAcknowledgedExactlyOnce() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), Prop.ForAll(Scenarios.ToArbitrary(), EveryInputSettlesExactlyOnce));

    [Fact]
    public void Predict_CleanStream_EveryFrameContributes()
    {
        using var h = new Harness(Small);
        for (int s = 0; s < 10; s++) h.Input.OnNext(SkeletonFrames.Message(SkeletonFrames.At30Fps("cam-1", s), h.Acks, out _));
        h.Drain();
        Assert.Equal(4, h.Published.Count);
        Assert.All(Enumerable.Range(0, 10), id => Assert.True(h.Acks.Single(id).Contributed));
        Assert.All(h.Published, p => Assert.Equal("moving", p.Recognized.Label));
    }

    [Fact]
    public async Task Predict_OutputJson_MatchesTheSchemaFile()
    {
        using var h = new Harness(Small);
        for (int s = 0; s < 4; s++) h.Input.OnNext(SkeletonFrames.Message(SkeletonFrames.At30Fps("cam-1", s), h.Acks, out _));
        h.Drain();
        var schema = await NJsonSchema.JsonSchema.FromFileAsync(System.IO.Path.Combine(AppContext.BaseDirectory, "schemas", "action-prediction.v1.schema.json"));
        var json = Encoding.UTF8.GetString(ActionPredictionJson.Serialize(Assert.Single(h.Published)));
        Assert.Empty(schema.Validate(json));
    }
}
