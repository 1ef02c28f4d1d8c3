using System.Diagnostics;
using Streaming.Models.ActionSentences;
using Streaming.Models.EventTokens;
using Streaming.Models.Observations;
using Streaming.Tensors;
using Streaming.Tensors.Optim;

namespace Streaming.Models.LlmAr;

/// <summary>A training clip and its class.</summary>
public sealed record LabelledClip(SkeletonClip Clip, int Label);

/// <summary>Hyper-parameters of the two stages of <see cref="LlmArTraining"/>.</summary>
public sealed record LlmArTrainingOptions
{
    /// <summary>Optimizer steps of the tokenizer stage (2,400: 300 epochs of MSR Action3D's 284 clips, 39 of UTKinect's 2,000 windows).</summary>
    public int TokenizerSteps { get; init; } = 2400;
    public int TokenizerBatchSize { get; init; } = 32;
    public float TokenizerLearningRate { get; init; } = 2e-3f;
    /// <summary>Optimizer steps of the LoRA stage.</summary>
    public int Steps { get; init; } = 800;
    public int BatchSize { get; init; } = 16;
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>
    /// The peak learning rate with P-Tuning v2's prompts, which take larger steps than LoRA (the P-Tuning v2 paper searches
    /// 5e-3 to 1e-2). Chosen on validation data, MSR Action3D's five training subjects each held out in turn (VTEM + P-Tuning
    /// v2, 32 prompts): 68.3% of their 284 clips at 1e-2, 72.9% at 2e-2 (16 prompts: 65.5%, 68.0%, 69.0% at 1e-2, 2e-2, 4e-2).
    /// </summary>
    public float PromptLearningRate { get; init; } = 2e-2f;

    /// <summary>The recognizer stage's peak learning rate for <paramref name="model"/>'s adapter.</summary>
    public float RecognizerLearningRate(LlmArRecognizer model) =>
        (model ?? throw new ArgumentNullException(nameof(model))).Prompts is null ? LearningRate : PromptLearningRate;
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>Weight of the label tokens' language-model loss beside the class head's cross-entropy.</summary>
    public float LabelLossWeight { get; init; } = 1f;

    public int Seed { get; init; } = 1;
}

/// <summary>Where a stage is: epoch and step counts (a stage's budget is in steps; its epochs follow from the clips) and the last batch's loss.</summary>
public readonly record struct LlmArProgress(string Stage, int Epoch, int Epochs, int Step, int Steps, float Loss, double StepsPerSecond);

/// <summary>
/// LLM-AR's two stages. First the action-sentence tokenizer (a VQ-VAE) learns to reconstruct the training clips, its codes
/// pulled towards the base model's token embeddings; then, with the tokenizer and the base model frozen, LoRA and the class
/// head learn the label of each clip's sentence. Every epoch draws a fresh augmentation of each clip
/// (<see cref="ClipAugmentation"/>). A stage runs a budget of steps, so datasets of any size train for the same work;
/// the last epoch stops at the budget. Each stage calls back after every epoch so the caller can checkpoint.
/// </summary>
public static class LlmArTraining
{
    /// <summary>Trains the action-sentence <paramref name="tokenizer"/> on <paramref name="clips"/> resampled to <paramref name="frames"/> frames, from epoch <paramref name="startEpoch"/>.</summary>
    public static void TrainTokenizer(ActionSentenceTokenizer tokenizer, IReadOnlyList<SkeletonClip> clips, int frames, Tensor lmEmbeddings, LlmArTrainingOptions options,
        AdamW? optimizer = null, int startEpoch = 0, Action<int, AdamW>? epochDone = null, IProgress<LlmArProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        TokenizerStage(tokenizer, "tokenizer", (x, rng) =>
        {
            var loss = tokenizer.Loss(x, lmEmbeddings, rng);
            return (loss.Total, loss.Codes);
        },
            clips, frames, options, optimizer, startEpoch, epochDone, progress);
    }

    /// <summary>Trains VTEM's event <paramref name="tokenizer"/> as <see cref="TrainTokenizer"/> trains action sentences, with its own loss, which needs no language model.</summary>
    public static void TrainEventTokenizer(EventTokenizer tokenizer, IReadOnlyList<SkeletonClip> clips, int frames, LlmArTrainingOptions options,
        AdamW? optimizer = null, int startEpoch = 0, Action<int, AdamW>? epochDone = null, IProgress<LlmArProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        TokenizerStage(tokenizer, "event tokenizer", (x, _) =>
        {
            var loss = tokenizer.Loss(x);
            return (loss.Total, loss.Codes);
        },
            clips, frames, options, optimizer, startEpoch, epochDone, progress);
    }

    /// <summary>
    /// The tokenizer stage of either tokenizer: batches of augmented clips, the loss and its codes, gradient clipping, and
    /// dead codes restarted between epochs. Both tokenizers draw the same random stream (stage 1), so they see the same
    /// augmentations in the same order.
    /// </summary>
    static void TokenizerStage(ObservationTokenizer tokenizer, string stage, Func<Tensor, Random, (Tensor Total, int[] Codes)> loss,
        IReadOnlyList<SkeletonClip> clips, int frames, LlmArTrainingOptions options,
        AdamW? optimizer, int startEpoch, Action<int, AdamW>? epochDone, IProgress<LlmArProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(options);
        if (clips.Count == 0) throw new ArgumentException($"LLM-AR: no training clips for the {tokenizer.Kind} tokenizer.", nameof(clips));
        _ = tokenizer.TokensFor(frames);                 // a window the tokenizer cannot take fails here, before any work
        optimizer ??= TokenizerOptimizer(tokenizer, options);
        int batch = Math.Min(options.TokenizerBatchSize, clips.Count), batches = clips.Count / batch, total = options.TokenizerSteps;
        int epochs = Epochs(total, batches);
        var schedule = new LearningRateSchedule(options.TokenizerLearningRate, options.TokenizerLearningRate / 10, Math.Min(50, total / 10), total);
        tokenizer.Train();
        var clock = Stopwatch.StartNew();
        for (int epoch = startEpoch; epoch < epochs; epoch++)
        {
            var rng = EpochRandom(options.Seed, 1, epoch);
            var order = Shuffled(clips.Count, rng);
            var used = new bool[tokenizer.Codes];
            Tensor? frameBatch = null;
            for (int b = 0; b < batches && epoch * batches + b < total; b++)
            {
                int step = epoch * batches + b;
                optimizer.LearningRate = schedule.At(step);
                frameBatch = AugmentedBatch(clips, order.AsSpan(b * batch, batch), frames, rng);
                var inputBatch = frameBatch;
                float value = TrainingStep.Run(optimizer, () =>
                {
                    var (batchLoss, codes) = loss(inputBatch, rng);
                    foreach (var code in codes) used[code] = true;
                    return batchLoss;
                });
                progress?.Report(new LlmArProgress(stage, epoch + 1, epochs, step + 1, total, value, (step + 1 - startEpoch * batches) / clock.Elapsed.TotalSeconds));
            }
            // Dead codes restart on this epoch's encodings, except after the last epoch, whose codebook is the result.
            if (epoch + 1 < epochs && frameBatch is not null) tokenizer.RestartUnusedCodes(frameBatch, used, rng);
            epochDone?.Invoke(epoch + 1, optimizer);
        }
        tokenizer.Eval();
    }

    /// <summary>Trains LoRA and the class head of <paramref name="model"/> on <paramref name="clips"/>, from epoch <paramref name="startEpoch"/>.</summary>
    public static void TrainRecognizer(LlmArRecognizer model, IReadOnlyList<LabelledClip> clips, LlmArTrainingOptions options,
        AdamW? optimizer = null, int startEpoch = 0, Action<int, AdamW>? epochDone = null, IProgress<LlmArProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(clips);
        if (clips.Count == 0) throw new ArgumentException("LLM-AR: no training clips.", nameof(clips));
        foreach (var c in clips)
            if ((uint)c.Label >= (uint)model.Labels.Count) throw new ArgumentException($"LLM-AR: a clip has class {c.Label}, outside the {model.Labels.Count} labels.", nameof(clips));
        optimizer ??= RecognizerOptimizer(model, options);
        int batch = Math.Min(options.BatchSize, clips.Count), batches = (clips.Count + batch - 1) / batch, total = options.Steps;
        int epochs = Epochs(total, batches);
        float peak = options.RecognizerLearningRate(model);
        var schedule = new LearningRateSchedule(peak, peak / 20, Math.Min(batches, total / 10), total);
        model.Train();
        model.Lm.Train();
        var clock = Stopwatch.StartNew();
        for (int epoch = startEpoch; epoch < epochs; epoch++)
        {
            var rng = EpochRandom(options.Seed, 2, epoch);
            var order = Shuffled(clips.Count, rng);
            // The frozen tokenizer writes this epoch's sentences of this epoch's augmented clips, all at once.
            var augmented = order.Select(i => ClipAugmentation.Apply(clips[i].Clip, rng)).ToList();
            var codes = model.Sentence(augmented);
            int W = model.SentenceLength;
            for (int b = 0; b < batches && epoch * batches + b < total; b++)
            {
                int step = epoch * batches + b, first = b * batch, n = Math.Min(batch, clips.Count - first);
                var classes = order.AsSpan(first, n).ToArray().Select(i => clips[i].Label).ToArray();
                optimizer.LearningRate = schedule.At(step);
                float loss = TrainingStep.Run(optimizer, () =>
                {
                    var (logits, labelLoss) = model.Forward(codes.AsSpan(first * W, n * W).ToArray(), classes);
                    return Tensor.CrossEntropy(logits, classes).Add(labelLoss.Mul(options.LabelLossWeight));
                });
                progress?.Report(new LlmArProgress("recognizer", epoch + 1, epochs, step + 1, total, loss, (step + 1 - startEpoch * batches) / clock.Elapsed.TotalSeconds));
            }
            epochDone?.Invoke(epoch + 1, optimizer);
        }
        model.Eval();
        model.Lm.Eval();
    }

    /// <summary>Top-1 accuracy of <paramref name="model"/> on <paramref name="clips"/> with <paramref name="readout"/>, and the predicted classes.</summary>
    public static (double Accuracy, int[] Predicted) Evaluate(LlmArRecognizer model, IReadOnlyList<LabelledClip> clips, LlmArReadout readout, int batch = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(clips);
        var predicted = new int[clips.Count];
        for (int first = 0; first < clips.Count; first += batch)
        {
            var part = clips.Skip(first).Take(batch).Select(c => c.Clip).ToList();
            var p = model.Probabilities(part, readout);
            for (int i = 0; i < part.Count; i++) predicted[first + i] = Array.IndexOf(p[i], p[i].Max());
        }
        int correct = clips.Where((c, i) => predicted[i] == c.Label).Count();
        return (clips.Count == 0 ? 0 : (double)correct / clips.Count, predicted);
    }

    /// <summary>The epochs a budget of <paramref name="steps"/> takes at <paramref name="batches"/> per epoch.</summary>
    public static int Epochs(int steps, int batches) => (steps + batches - 1) / Math.Max(batches, 1);

    /// <summary>The tokenizer stage's epochs on <paramref name="clips"/> training clips.</summary>
    public static int TokenizerEpochs(int clips, LlmArTrainingOptions options) =>
        Epochs(options.TokenizerSteps, clips / Math.Min(options.TokenizerBatchSize, clips));

    /// <summary>The LoRA stage's epochs on <paramref name="clips"/> training clips.</summary>
    public static int RecognizerEpochs(int clips, LlmArTrainingOptions options) =>
        Epochs(options.Steps, (clips + Math.Min(options.BatchSize, clips) - 1) / Math.Min(options.BatchSize, clips));

    public static AdamW TokenizerOptimizer(ObservationTokenizer tokenizer, LlmArTrainingOptions options) =>
        new(tokenizer.TrainableParameters(), options.TokenizerLearningRate, weightDecay: 0f);

    /// <summary>AdamW over LoRA, the action tokens and the head; embeddings and biases are not decayed.</summary>
    public static AdamW RecognizerOptimizer(LlmArRecognizer model, LlmArTrainingOptions options) =>
        new(model.Trained(), options.RecognizerLearningRate(model), weightDecay: options.WeightDecay,
            noDecay: n => n.EndsWith("bias", StringComparison.Ordinal) || n == LlmArRecognizer.ActionTokensName);

    /// <summary>One generator per (seed, stage, epoch), so a resumed run draws what an uninterrupted one would have.</summary>
    static Random EpochRandom(int seed, int stage, int epoch) => new(unchecked(seed * 1_000_003 + stage * 10_007 + epoch));

    static int[] Shuffled(int count, Random rng)
    {
        var order = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(order);
        return order;
    }

    /// <summary>A fresh augmentation of each clip of <paramref name="picks"/>, resampled to <paramref name="frames"/> frames: (B, frames, frame size).</summary>
    static Tensor AugmentedBatch(IReadOnlyList<SkeletonClip> clips, ReadOnlySpan<int> picks, int frames, Random rng)
    {
        int size = clips[picks[0]].FrameSize;
        var data = new float[picks.Length * frames * size];
        for (int i = 0; i < picks.Length; i++)
            ClipAugmentation.Apply(clips[picks[i]], rng).Resample(frames).CopyTo(data.AsSpan(i * frames * size));
        return new Tensor(data, [picks.Length, frames, size]);
    }
}
