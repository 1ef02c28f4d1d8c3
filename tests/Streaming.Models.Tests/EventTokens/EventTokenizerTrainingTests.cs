using Streaming.Models.EventTokens;
using Streaming.Models.LlmAr;
using Streaming.Tensors;
using Streaming.Tensors.Optim;
using Xunit.Abstractions;

namespace Streaming.Models.Tests.EventTokens;

public class EventTokenizerTrainingTests(ITestOutputHelper output)
{
    const int Frames = 32;

    static readonly RecognitionSplit Msr = RecognitionSplit.MsrCrossSubject(SharedData.Path("msr-action3d"), 3);

    /// <summary>A small tokenizer for 64 of MSR Action3D's cross-subject training clips, 8 segments of 32 frames.</summary>
    static readonly EventTokenConfig Small = new() { Inputs = Msr.Train[0].Clip.FrameSize, Hidden = 32, Width = 32, Segments = 8, Codes = 64 };

    static List<SkeletonClip> TrainClips(int count) => [.. Msr.Train.Select(c => c.Clip).Take(count)];

    /// <summary>Test-subject clips resampled as they are, without augmentation: (B, Frames, F).</summary>
    static Tensor HeldOut(int count)
    {
        var clips = Msr.Test.Select(c => c.Clip).Take(count).ToList();
        return Tensor.FromArray([.. clips.SelectMany(c => c.Resample(Frames))], clips.Count, Frames, clips[0].FrameSize);
    }

    /// <summary>
    /// 150 steps of 16 clips (3 s): the held-out subjects' reconstruction loss halves and the total loss falls by more than a
    /// third (reconstruction 0.120 -> 0.050, total 3.13 -> 1.44 when written).
    /// </summary>
    [Fact]
    public void Train_OnMsrAction3DClips_LowersTheHeldOutLoss()
    {
        var tokenizer = new EventTokenizer(Small, new Random(0));
        var heldOut = HeldOut(32);
        EventTokenLoss Loss()
        {
            using var _ = GradMode.Disable();
            return tokenizer.Loss(heldOut);
        }
        var before = Loss();
        var options = new LlmArTrainingOptions { TokenizerSteps = 150, TokenizerBatchSize = 16 };
        var reports = new List<LlmArProgress>();
        var epochs = new List<int>();
        LlmArTraining.TrainEventTokenizer(tokenizer, TrainClips(64), Frames, options, epochDone: (e, _) => epochs.Add(e), progress: new InlineProgress<LlmArProgress>(reports.Add));
        var after = Loss();

        output.WriteLine($"held-out reconstruction {before.Reconstruction.Item():F4} -> {after.Reconstruction.Item():F4}, total {before.Total.Item():F4} -> {after.Total.Item():F4}, " +
            $"contrast {before.Contrast.Item():F4} -> {after.Contrast.Item():F4}, {after.Codes.Distinct().Count()} codes; {reports[^1].StepsPerSecond:F1} steps/s");
        Assert.Equal(Enumerable.Range(1, 38), epochs);                      // 4 batches of 16 per epoch, the last epoch cut at step 150
        Assert.Equal(150, reports.Count);
        Assert.Equal((38, 150, 150), (reports[^1].Epoch, reports[^1].Step, reports[^1].Steps));
        Assert.False(tokenizer.Training, "training leaves the tokenizer in eval mode");
        Assert.True(after.Reconstruction.Item() < before.Reconstruction.Item() / 2, $"held-out reconstruction fell only from {before.Reconstruction.Item()} to {after.Reconstruction.Item()}");
        Assert.True(after.Total.Item() < before.Total.Item() * 2 / 3, $"held-out loss fell only from {before.Total.Item()} to {after.Total.Item()}");
    }

    [Fact]
    public void Train_StoppedAfterAnEpochAndResumed_EndsWhereAnUninterruptedRunEnds()
    {
        var clips = TrainClips(32);
        var options = new LlmArTrainingOptions { TokenizerSteps = 16, TokenizerBatchSize = 8 };   // 4 epochs of 4 steps
        var whole = new EventTokenizer(Small, new Random(0));
        LlmArTraining.TrainEventTokenizer(whole, clips, Frames, options);

        var resumed = new EventTokenizer(Small, new Random(0));
        var optimizer = LlmArTraining.TokenizerOptimizer(resumed, options);
        Assert.Throws<OperationCanceledException>(() => LlmArTraining.TrainEventTokenizer(resumed, clips, Frames, options, optimizer,
            epochDone: (epoch, _) => { if (epoch == 2) throw new OperationCanceledException(); }));
        LlmArTraining.TrainEventTokenizer(resumed, clips, Frames, options, optimizer, startEpoch: 2);

        foreach (var (name, value) in whole.NamedParameters())
            Assert.True(value.ToArray().AsSpan().SequenceEqual(resumed.State()[name].ToArray()), $"{name} differs after resuming");
    }

    [Fact]
    public void Train_FramesShorterThanSegments_FailsBeforeAnyStep()
    {
        var tokenizer = new EventTokenizer(Small, new Random(0));
        var before = tokenizer.Codebook.ToArray();
        var ex = Assert.Throws<ArgumentException>(() => LlmArTraining.TrainEventTokenizer(tokenizer, TrainClips(4), 6, new LlmArTrainingOptions()));
        Assert.Contains("a window of 6 frame(s) is shorter than the M = 8 segments", ex.Message);
        Assert.Equal(before, tokenizer.Codebook.ToArray());
    }

    /// <summary>Reports on the training thread, unlike <see cref="Progress{T}"/>, which posts to the thread pool.</summary>
    sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
