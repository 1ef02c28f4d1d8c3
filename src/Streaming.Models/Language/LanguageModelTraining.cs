using System.Diagnostics;
using Streaming.Models.Checkpoints;
using Streaming.Models.Tokenization;
using Streaming.Models.Tokenization.Training;
using Streaming.Tensors;
using Streaming.Tensors.Optim;

namespace Streaming.Models.Language;

/// <summary>The size of the base model and tokenizer, and its pre-training schedule.</summary>
public sealed record LanguageModelTrainingOptions
{
    public int VocabularySize { get; init; } = 512;
    public int HiddenSize { get; init; } = 128;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public int KeyValueHeads { get; init; } = 2;
    public int ContextLength { get; init; } = 128;            // T of a training row
    public int BatchSize { get; init; } = 16;
    public int Steps { get; init; } = 600;
    public float LearningRate { get; init; } = 3e-3f;
    public float WeightDecay { get; init; } = 0.1f;
    public int Seed { get; init; } = 1;
}

/// <summary>Progress after each optimizer step.</summary>
public readonly record struct LanguageModelProgress(int Step, int Steps, float Loss, double TokensPerSecond);

/// <summary>A trained base model: its tokenizer and weights, and the loss at the start and the end.</summary>
public sealed record TrainedLanguageModel(TrainedBpe Tokenizer, LlamaModel Model, float FirstLoss, float FinalLoss, int CorpusTokens, TimeSpan Elapsed)
{
    /// <summary>Writes a Hugging Face folder: config.json, model.safetensors and tokenizer.json.</summary>
    public void Save(string directory)
    {
        HfCheckpoint.Save(Model, directory);
        Tokenizer.Save(Path.Combine(directory, "tokenizer.json"));
    }
}

/// <summary>
/// Pre-trains a small LLaMA-architecture decoder from scratch, nanoGPT style: a byte-level BPE is learnt on the
/// corpus, the documents are joined into one token stream separated by end-of-text, and rows of ContextLength + 1
/// tokens are drawn at random offsets; next-token cross-entropy, AdamW with warm-up and cosine decay.
/// </summary>
public static class LanguageModelTraining
{
    public const string EndOfText = "<|endoftext|>";

    public static TrainedLanguageModel Train(IReadOnlyList<string> documents, LanguageModelTrainingOptions options, IProgress<LanguageModelProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (options.Heads < 1 || options.HiddenSize < 1 || options.HiddenSize % options.Heads != 0)
            throw new ArgumentException($"train lm: the hidden size {options.HiddenSize} must be a positive multiple of the {options.Heads} attention heads.");
        if (documents.Count == 0 || documents.All(string.IsNullOrWhiteSpace))
            throw new ArgumentException("train lm: the corpus is empty.", nameof(documents));
        var clock = Stopwatch.StartNew();
        var bpe = new BpeTrainer(new BpeTrainerOptions { VocabularySize = options.VocabularySize, SpecialTokens = [EndOfText] }).Train(documents);
        var tokenizer = bpe.ToTokenizer();
        int eot = tokenizer.TokenToId(EndOfText) ?? throw new InvalidOperationException("train lm: the trained tokenizer lost its end-of-text token.");
        var stream = new List<int>();
        foreach (var document in documents.Where(d => !string.IsNullOrWhiteSpace(d)))
        {
            stream.AddRange(tokenizer.Encode(document, addSpecialTokens: false));
            stream.Add(eot);
        }
        int t = Math.Min(options.ContextLength, stream.Count - 1);
        if (t < 2) throw new ArgumentException($"train lm: the corpus has only {stream.Count} tokens.", nameof(documents));

        var rng = new Random(options.Seed);
        var config = new LlamaConfig
        {
            VocabSize = tokenizer.VocabularySize,
            HiddenSize = options.HiddenSize,
            IntermediateSize = SwiGluWidth(options.HiddenSize),
            NumHiddenLayers = options.Layers,
            NumAttentionHeads = options.Heads,
            NumKeyValueHeads = options.KeyValueHeads,
            HeadDim = options.HiddenSize / options.Heads,
            MaxPositionEmbeddings = 2048,
            TieWordEmbeddings = true,
            EosTokenId = eot,
        };
        var model = new LlamaModel(config, rng);
        var parameters = model.TrainableParameters().ToList();
        var optimizer = new AdamW(parameters, options.LearningRate, weightDecay: options.WeightDecay,
            noDecay: n => n.Contains("norm", StringComparison.Ordinal));
        var schedule = new LearningRateSchedule(options.LearningRate, options.LearningRate / 10, Math.Max(1, options.Steps / 20), options.Steps);
        var inputs = new int[options.BatchSize * t];
        var targets = new int[options.BatchSize * t];
        float first = float.NaN, last = float.NaN;
        model.Train();
        for (int step = 0; step < options.Steps; step++)
        {
            for (int b = 0; b < options.BatchSize; b++)
            {
                int start = rng.Next(stream.Count - t);
                for (int i = 0; i < t; i++)
                {
                    inputs[b * t + i] = stream[start + i];
                    targets[b * t + i] = stream[start + i + 1];
                }
            }
            optimizer.LearningRate = schedule.At(step);
            last = TrainingStep.Run(optimizer, () =>
            {
                var logits = model.Forward(inputs, options.BatchSize).Logits!;             // (B, T, V)
                return Tensor.CrossEntropy(logits.Reshape(options.BatchSize * t, config.VocabSize), targets);
            });
            if (step == 0) first = last;
            progress?.Report(new LanguageModelProgress(step + 1, options.Steps, last, (step + 1.0) * inputs.Length / clock.Elapsed.TotalSeconds));
        }
        model.Eval();
        return new TrainedLanguageModel(bpe, model, first, last, stream.Count, clock.Elapsed);
    }

    /// <summary>LLaMA's SwiGLU width: 8/3 of the model width, rounded up to a multiple of 8.</summary>
    static int SwiGluWidth(int hidden) => (8 * hidden / 3 + 7) / 8 * 8;
}
