using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;

namespace Streaming.Models.Tests.Anticipation;

/// <summary>An epoch's batches: every video its number of observations, one at a time in shuffled order, batched by length.</summary>
public sealed class ActionLlmEpochBatchesTests
{
    // Videos of different lengths and runs, so that observed lengths differ.
    static readonly LabelledVideo[] Videos = [.. Enumerable.Range(0, 9).Select(v => new LabelledVideo($"video{v}",
        [.. Enumerable.Range(0, 60 + 25 * v).Select(f => f / (10 + v) % 3)], null))];

    static (int[] Videos, AnticipationExample[] Examples)[] Batches(int batchSize, int seed = 5) =>
        [.. ActionLlmTraining.EpochBatches(Videos, new ActionLlmTrainingOptions { BatchSize = batchSize, StepsPerVideo = 40, ObservationsPerVideo = 3 },
            queries: 4, noneClass: 3, new Random(seed))];

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public void Every_video_comes_its_number_of_observations(int batchSize)
    {
        var batches = Batches(batchSize);
        Assert.All(batches, b => Assert.Equal(b.Videos.Length, b.Examples.Length));
        Assert.All(batches, b => Assert.InRange(b.Videos.Length, 1, batchSize));
        Assert.Equal(Videos.Length * 3, batches.Sum(b => b.Videos.Length));
        Assert.All(batches.SelectMany(b => b.Videos).GroupBy(v => v), g => Assert.Equal(3, g.Count()));
    }

    [Fact]
    public void Batches_hold_observations_of_neighbouring_lengths_in_random_order()
    {
        var batches = Batches(4);
        // Batched by length: no two batches overlap in observed length, so sorted by their shortest they are sorted by their longest.
        var ranges = batches.Select(b => (Min: b.Examples.Min(e => e.Observed.Length), Max: b.Examples.Max(e => e.Observed.Length)))
            .OrderBy(r => r.Min).ThenBy(r => r.Max).ToArray();
        for (int i = 1; i < ranges.Length; i++) Assert.True(ranges[i - 1].Max <= ranges[i].Min, $"batches {ranges[i - 1]} and {ranges[i]} overlap");
        // ... and not served shortest first.
        var served = batches.Select(b => b.Examples.Min(e => e.Observed.Length)).ToArray();
        Assert.NotEqual(served.Order().ToArray(), served);
    }

    [Fact]
    public void One_at_a_time_keeps_the_shuffled_order_and_a_seed_gives_the_same_epoch()
    {
        var alone = Batches(1);
        Assert.Equal(alone.Select(b => b.Videos[0]), Batches(1).Select(b => b.Videos[0]));
        Assert.Equal(alone.Select(b => b.Examples[0].Observed.Length), Batches(1).Select(b => b.Examples[0].Observed.Length));
        Assert.NotEqual(alone.Select(b => b.Videos[0]), Batches(1, seed: 6).Select(b => b.Videos[0]));
    }
}
