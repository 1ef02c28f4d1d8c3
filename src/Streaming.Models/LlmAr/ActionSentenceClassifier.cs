using Streaming.Models.Observations;
using Streaming.Tensors;
using Streaming.Tensors.Nn;
using Streaming.Tensors.Optim;

namespace Streaming.Models.LlmAr;

/// <summary>
/// The ablation that measures what the language model adds to LLM-AR: the same action sentences, read by a plain classifier
/// instead of the language model. Each action token has a trainable embedding (initialized from the codebook, as LLM-AR's
/// action tokens are); a clip's embeddings are averaged and a linear layer gives the class. It sees which codes a clip
/// uses and how often, not their order. Shapes: B clips, W action tokens, D the code width, K labels.
/// </summary>
public sealed class ActionSentenceClassifier : Module
{
    readonly Linear head;

    public ActionSentenceClassifier(ObservationTokenizer sentences, int classes, int frames, Random rng)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(rng);
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), $"action-sentence classifier: {classes} classes; need at least 2.");
        SentenceLength = sentences.TokensFor(frames);
        (Sentences, Frames) = (sentences, frames);
        sentences.Freeze();
        int U = sentences.Codes, D = sentences.Width;
        var codes = sentences.Embeddings([.. Enumerable.Range(0, U)]).ToArray();   // (U, D)
        // Centred: the codes sit close together, and their shared mean would say nothing about the class.
        var mean = new double[D];
        for (int i = 0; i < codes.Length; i++) mean[i % D] += codes[i] / U;
        for (int i = 0; i < codes.Length; i++) codes[i] -= (float)mean[i % D];
        ActionTokens = Parameter("action_tokens", new Tensor(codes, [U, D]));
        head = Child("head", new Linear(D, classes, true, rng));
    }

    public ObservationTokenizer Sentences { get; }

    /// <summary>T: every clip is resampled to this many frames, as for the recognizer.</summary>
    public int Frames { get; }

    /// <summary>The embedding of each action token, (U, D).</summary>
    public Tensor ActionTokens { get; }

    int SentenceLength { get; }

    /// <summary>The action sentences of <paramref name="clips"/>: B*W code ids, row-major.</summary>
    public int[] Sentence(IReadOnlyList<SkeletonClip> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        int size = Sentences.Inputs;
        var data = new float[clips.Count * Frames * size];
        for (int b = 0; b < clips.Count; b++)
        {
            if (clips[b].FrameSize != size) throw new ArgumentException($"action-sentence classifier: clip {b} has {clips[b].FrameSize} values per frame; the tokenizer reads {size}.", nameof(clips));
            clips[b].Resample(Frames).CopyTo(data.AsSpan(b * Frames * size));
        }
        return Sentences.EncodeBatch(new Tensor(data, [clips.Count, Frames, size]));
    }

    /// <summary>Class logits of B sentences (<paramref name="codes"/>, B*W ids): (B, K).</summary>
    public Tensor Forward(int[] codes, int B)
    {
        ArgumentNullException.ThrowIfNull(codes);
        int W = SentenceLength;
        if (codes.Length != B * W) throw new ArgumentException($"action-sentence classifier: {codes.Length} code ids for {B} clips of {W} action tokens.", nameof(codes));
        var tokens = ActionTokens.IndexSelect(0, codes).Reshape(B, W, -1);    // (B, W, D)
        return head.Forward(tokens.Mean(1));                                    // (B, K)
    }

    /// <summary>Class probabilities of each clip, one array per clip.</summary>
    public float[][] Probabilities(IReadOnlyList<SkeletonClip> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (clips.Count == 0) return [];
        using var _ = GradMode.Disable();
        var p = Forward(Sentence(clips), clips.Count).Softmax(-1).ToArray();
        int K = p.Length / clips.Count;
        return [.. Enumerable.Range(0, clips.Count).Select(b => p.AsSpan(b * K, K).ToArray())];
    }

    /// <summary>
    /// Trains a classifier on <paramref name="sentences"/>' sentences of <paramref name="clips"/> with the recognizer stage's
    /// epochs, batch size, learning rate and augmentation (<see cref="LlmArTrainingOptions"/>).
    /// </summary>
    public static ActionSentenceClassifier Train(ObservationTokenizer sentences, IReadOnlyList<LabelledClip> clips, int classes, int frames,
        LlmArTrainingOptions options, IProgress<LlmArProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(options);
        if (clips.Count == 0) throw new ArgumentException("action-sentence classifier: no training clips.", nameof(clips));
        foreach (var c in clips)
            if ((uint)c.Label >= (uint)classes) throw new ArgumentException($"action-sentence classifier: a clip has class {c.Label}, outside the {classes} labels.", nameof(clips));
        var rng = new Random(options.Seed);
        var model = new ActionSentenceClassifier(sentences, classes, frames, rng);
        var optimizer = new AdamW(model.TrainableParameters(), options.LearningRate, weightDecay: options.WeightDecay,
            noDecay: n => n.EndsWith("bias", StringComparison.Ordinal) || n == "action_tokens");
        int batch = Math.Min(options.BatchSize, clips.Count), batches = (clips.Count + batch - 1) / batch, total = options.Steps;
        int epochs = LlmArTraining.Epochs(total, batches);
        var schedule = new LearningRateSchedule(options.LearningRate, options.LearningRate / 20, Math.Min(batches, total / 10), total);
        int W = model.SentenceLength;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var order = Enumerable.Range(0, clips.Count).ToArray();
            rng.Shuffle(order);
            var codes = model.Sentence([.. order.Select(i => ClipAugmentation.Apply(clips[i].Clip, rng))]);
            for (int b = 0; b < batches && epoch * batches + b < total; b++)
            {
                int step = epoch * batches + b, first = b * batch, n = Math.Min(batch, clips.Count - first);
                var classesOf = order.AsSpan(first, n).ToArray().Select(i => clips[i].Label).ToArray();
                optimizer.LearningRate = schedule.At(step);
                float loss = TrainingStep.Run(optimizer, () => Tensor.CrossEntropy(model.Forward(codes.AsSpan(first * W, n * W).ToArray(), n), classesOf), maxGradientNorm: null);
                progress?.Report(new LlmArProgress("sentence classifier", epoch + 1, epochs, step + 1, total, loss, (step + 1) / clock.Elapsed.TotalSeconds));
            }
        }
        model.Eval();
        return model;
    }
}
