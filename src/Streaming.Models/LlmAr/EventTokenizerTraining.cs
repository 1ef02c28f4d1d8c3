using System.Diagnostics;
using Streaming.Models.EventTokens;
using Streaming.Tensors;
using Streaming.Tensors.Optim;

namespace Streaming.Models.LlmAr;

/// <summary>
/// Trains <see cref="EventTokenizer"/> as LLM-AR's tokenizer stage trains action sentences (<see cref="LlmArTraining.TrainTokenizer"/>):
/// the same budget in steps, learning-rate schedule, augmentation per epoch, dead-code restarts and per-epoch callback,
/// with the event tokenizer's own loss, which needs no language model.
/// </summary>
public static class EventTokenizerTraining
{
    /// <summary>The random streams of LLM-AR's tokenizer stage: either tokenizer sees the same augmentations in the same order.</summary>
    const int Stage = 1;

    /// <summary>Trains <paramref name="tokenizer"/> on <paramref name="clips"/> resampled to <paramref name="frames"/> frames, from epoch <paramref name="startEpoch"/>.</summary>
    public static void Train(EventTokenizer tokenizer, IReadOnlyList<SkeletonClip> clips, int frames, LlmArTrainingOptions options,
        AdamW? optimizer = null, int startEpoch = 0, Action<int, AdamW>? epochDone = null, IProgress<LlmArProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(options);
        if (clips.Count == 0) throw new ArgumentException("event tokens: no training clips for the tokenizer.", nameof(clips));
        _ = tokenizer.TokensFor(frames);                 // a window shorter than M segments fails here, before any work
        optimizer ??= LlmArTraining.TokenizerOptimizer(tokenizer, options);
        int batch = Math.Min(options.TokenizerBatchSize, clips.Count), batches = clips.Count / batch, total = options.TokenizerSteps;
        int epochs = LlmArTraining.Epochs(total, batches);
        var schedule = new LearningRateSchedule(options.TokenizerLearningRate, options.TokenizerLearningRate / 10, Math.Min(50, total / 10), total);
        tokenizer.Train();
        var clock = Stopwatch.StartNew();
        for (int epoch = startEpoch; epoch < epochs; epoch++)
        {
            var rng = LlmArTraining.EpochRandom(options.Seed, Stage, epoch);
            var order = LlmArTraining.Shuffled(clips.Count, rng);
            var used = new bool[tokenizer.Codes];
            Tensor? frameBatch = null;
            for (int b = 0; b < batches && epoch * batches + b < total; b++)
            {
                int step = epoch * batches + b;
                optimizer.LearningRate = schedule.At(step);
                frameBatch = LlmArTraining.AugmentedBatch(clips, order.AsSpan(b * batch, batch), frames, rng);
                var loss = tokenizer.Loss(frameBatch);
                foreach (var code in loss.Codes) used[code] = true;
                optimizer.ZeroGrad();
                loss.Total.Backward();
                GradientClipping.ClipNorm(tokenizer.TrainableParameters(), 1f);
                optimizer.Step();
                progress?.Report(new LlmArProgress("event tokenizer", epoch + 1, epochs, step + 1, total, loss.Total.Item(), (step + 1 - startEpoch * batches) / clock.Elapsed.TotalSeconds));
            }
            // Dead codes restart on this epoch's encodings, except after the last epoch, whose codebook is the result.
            if (epoch + 1 < epochs && frameBatch is not null) tokenizer.RestartUnusedCodes(frameBatch, used, rng);
            epochDone?.Invoke(epoch + 1, optimizer);
        }
        tokenizer.Eval();
    }
}
