using Streaming.Models.ActionSentences;
using Streaming.Models.Adapters;
using Streaming.Models.EventTokens;
using Streaming.Models.Language;
using Streaming.Models.Observations;
using Streaming.Models.Skeletons;
using Streaming.Models.Tokenization;
using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.LlmAr;

/// <summary>
/// LLM-AR (DESIGN.md §1 method 3) and VT-LVLM-AR (method 4): a skeleton clip becomes W discrete tokens
/// (<see cref="ObservationTokenizer"/>: an action sentence of T/4 codes, or M event tokens; their code vectors have the
/// language model's width), and the frozen base language model, adapted by LoRA on its projections or by P-Tuning v2's
/// prompts at every layer (<see cref="LlmArAdapter"/>), reads [prompts; instruction listing the labels; tokens;
/// "Answer: "]. The instruction comes before the tokens, unlike the paper's [prompts; tokens; instruction], so that
/// every window shares it and it is computed once (the class head reads the last positions either way). The class comes from a
/// linear head on the last hidden state (<see cref="LlmArReadout.ClassHead"/>) or from each label's log-likelihood after the
/// prompt (<see cref="LlmArReadout.LabelLikelihood"/>); training fits both, so either can serve. The instruction is shared
/// by every row: its keys and values are computed once per batch (<see cref="PromptPrefix"/>), and once in all while serving.
/// Shapes: B clips, W action tokens, A answer-cue tokens, L label tokens, C the model's width, K labels.
/// </summary>
public sealed class LlmArRecognizer : Module
{
    const int LabelRowsPerForward = 512;

    readonly Linear head;
    PromptPrefix? servingPrefix;           // the instruction's keys and values once training is over
    LlamaInference? inference;             // the class head's forward while serving; one batch at a time

    public LlmArRecognizer(LlamaModel lm, Tokenizer text, ObservationTokenizer observations, IReadOnlyList<string> labels, LlmArConfig config, Random rng)
    {
        ArgumentNullException.ThrowIfNull(lm);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(rng);
        Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        observations.CheckLanguageModel(lm.Config);
        int inputs = CanonicalSkeleton.JointCount * config.Dimensions;
        if (observations.Inputs != inputs)
            throw new ArgumentException($"LLM-AR: the {observations.Kind} tokenizer reads {observations.Inputs} values per frame, but {config.Dimensions}-D clips of the canonical skeleton have {inputs}.", nameof(observations));
        SentenceLength = observations.TokensFor(config.Frames);
        (Lm, Text, Observations) = (lm, text, observations);
        Labels = [.. labels];
        Prompt = new ActionPrompt(text, Labels, endOfText: 0);
        lm.Freeze();
        observations.Freeze();
        if (lm.Lora is not null || lm.Prefix is not null) throw new ArgumentException("LLM-AR: the base model already carries an adapter.", nameof(lm));
        if (config.Adapter == LlmArAdapter.Lora) lm.Lora = Lora = new LoraAdapter(lm.Config, config.Lora, rng);
        if (config.Adapter == LlmArAdapter.PTuningV2) Prompts = new PrefixTuning(lm.Config, config.PromptTokens, rng);
        head = Child("head", new Linear(lm.Config.HiddenSize, Labels.Count, true, rng));
        ActionTokens = Parameter(ActionTokensName, ActionTokenInit(observations, lm));
        // P-Tuning v2 keeps the model's inputs as they are: the prompts and the head learn, the action tokens keep their embeddings.
        if (Prompts is not null) Freeze(name => name == ActionTokensName);
    }

    /// <summary>
    /// The codebook's vectors as new tokens of the model's vocabulary, (U, C), trained with LoRA as added tokens are. They
    /// start as the codebook (log_0 of its points), centred and scaled to the mean norm of the model's token embeddings:
    /// the tokenizer's codes sit close together, and at their own scale the frozen model could barely tell them apart.
    /// </summary>
    static Tensor ActionTokenInit(ObservationTokenizer observations, LlamaModel lm)
    {
        int U = observations.Codes, C = lm.Config.HiddenSize;
        var codes = observations.Embeddings([.. Enumerable.Range(0, U)]).ToArray();
        var mean = new double[C];
        for (int i = 0; i < codes.Length; i++) mean[i % C] += codes[i] / U;
        for (int i = 0; i < codes.Length; i++) codes[i] -= (float)mean[i % C];
        double codeNorm = MeanNorm(codes, C), tokenNorm = MeanNorm(lm.EmbedTokens.ToArray(), C);
        float scale = codeNorm > 0 ? (float)(tokenNorm / codeNorm) : 1f;
        for (int i = 0; i < codes.Length; i++) codes[i] *= scale;
        return new Tensor(codes, [U, C]);
    }

    static double MeanNorm(float[] rows, int width)
    {
        double sum = 0;
        for (int r = 0; r < rows.Length / width; r++)
        {
            double sq = 0;
            for (int k = 0; k < width; k++) sq += rows[r * width + k] * (double)rows[r * width + k];
            sum += Math.Sqrt(sq);
        }
        return sum / (rows.Length / width);
    }

    public LlmArConfig Config { get; }
    public LlamaModel Lm { get; }
    public Tokenizer Text { get; }
    public ObservationTokenizer Observations { get; }
    public LoraAdapter? Lora { get; }

    /// <summary>P-Tuning v2's prompts, with <see cref="LlmArAdapter.PTuningV2"/>.</summary>
    public PrefixTuning? Prompts { get; }
    public IReadOnlyList<string> Labels { get; }
    public ActionPrompt Prompt { get; }

    /// <summary>The name of <see cref="ActionTokens"/> among the parameters.</summary>
    public const string ActionTokensName = "action_tokens";

    /// <summary>The embedding of each action token, (U, C): what the model reads for code u.</summary>
    public Tensor ActionTokens { get; }

    /// <summary>What the model is, for ids and logs: llm-ar (action sentences + LoRA), vtem (event tokens + P-Tuning v2), or the tokenizer and adapter of another pairing.</summary>
    public string Method => (Observations.Kind, Config.Adapter) switch
    {
        (ActionSentenceTokenizer.TokenizerKind, LlmArAdapter.Lora) => "llm-ar",
        (EventTokenizer.TokenizerKind, LlmArAdapter.PTuningV2) => "vtem",
        var (kind, adapter) => $"{kind}+{adapter.ToString().ToLowerInvariant()}",
    };

    /// <summary>W, the tokens of one clip.</summary>
    public int SentenceLength { get; }

    /// <summary>What training updates: the adapter (LoRA or the prompts), the class head and, except with P-Tuning v2, the action tokens.</summary>
    public IEnumerable<(string Name, Tensor Value)> Trained() =>
        (Lora?.TrainableParameters() ?? []).Concat(Prompts?.TrainableParameters() ?? []).Concat(TrainableParameters());

    /// <summary>How many values training updates (<see cref="Trained"/>).</summary>
    public long TrainedParameterCount => Trained().Sum(p => (long)p.Value.Size);

    /// <summary>The tokenizer's input of each clip: (B, T, joints x dimensions).</summary>
    public Tensor Frames(IReadOnlyList<SkeletonClip> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        if (clips.Count == 0) throw new ArgumentException("LLM-AR: no clips.", nameof(clips));
        int T = Config.Frames, size = Observations.Inputs;
        var data = new float[clips.Count * T * size];
        for (int b = 0; b < clips.Count; b++)
        {
            if (clips[b].Dimensions != Config.Dimensions)
                throw new ArgumentException($"LLM-AR: clip {b} is {clips[b].Dimensions}-D; this model reads {Config.Dimensions}-D clips.", nameof(clips));
            clips[b].Resample(T).CopyTo(data.AsSpan(b * T * size));
        }
        return new Tensor(data, [clips.Count, T, size]);
    }

    /// <summary>The action sentences of <paramref name="clips"/>: B*W code ids, row-major.</summary>
    public int[] Sentence(IReadOnlyList<SkeletonClip> clips) => Observations.EncodeBatch(Frames(clips));

    /// <summary>
    /// Training forward of B sentences (<paramref name="codes"/>, B*W ids) with their classes: the class head's logits (B, K)
    /// and the language-model loss of each true label's tokens after the prompt (teacher forcing).
    /// </summary>
    public (Tensor HeadLogits, Tensor LabelLoss) Forward(int[] codes, int[] classes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(classes);
        int B = classes.Length, W = SentenceLength, A = Prompt.AnswerCue.Length;
        if (codes.Length != B * W) throw new ArgumentException($"LLM-AR: {codes.Length} code ids for {B} clips of {W} action tokens.", nameof(codes));
        foreach (var c in classes)
            if ((uint)c >= (uint)Labels.Count) throw new ArgumentOutOfRangeException(nameof(classes), $"LLM-AR: class {c} is outside the {Labels.Count} labels.");
        Unmerge();
        int L = classes.Max(c => Prompt.Labels[c].Length), S = W + A + L;
        // Text after the sentence: the answer cue, the label, padding (end of text) to the longest label; padding is never a target.
        var ids = new int[B * (A + L)];
        var targets = Enumerable.Repeat(-100, B * S).ToArray();
        for (int b = 0; b < B; b++)
        {
            Prompt.AnswerCue.CopyTo(ids, b * (A + L));
            var label = Prompt.Labels[classes[b]];
            label.CopyTo(ids, b * (A + L) + A);
            for (int j = 0; j < label.Length; j++) targets[b * S + W + A - 1 + j] = label[j];   // position p predicts token p + 1
        }
        var hidden = Run(codes, ids, B, PromptPrefix.Encode(Lm, Prompt.Instruction, Prompts), computeLogits: true, out var logits); // (B, S, C)
        var headLogits = head.Forward(Pooled(hidden, W + A));                                      // (B, K)
        var labelLoss = Tensor.CrossEntropy(logits!.Reshape(B * S, -1), targets);
        return (headLogits, labelLoss);
    }

    /// <summary>Class probabilities (B, K rows) of <paramref name="clips"/> by the configured readout, or by <paramref name="readout"/>.</summary>
    public float[][] Probabilities(IReadOnlyList<SkeletonClip> clips, LlmArReadout? readout = null) =>
        ProbabilitiesOf(Sentence(clips), clips.Count, readout ?? Config.Readout);

    /// <summary>Class probabilities of B sentences (<paramref name="codes"/>, B*W ids).</summary>
    public float[][] ProbabilitiesOf(int[] codes, int B, LlmArReadout readout)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.Length != B * SentenceLength) throw new ArgumentException($"LLM-AR: {codes.Length} code ids for {B} clips of {SentenceLength} action tokens.", nameof(codes));
        using var _ = GradMode.Disable();
        var prefix = ServingPrefix();
        var scores = readout == LlmArReadout.ClassHead ? HeadScores(codes, B, prefix) : LabelScores(codes, B, prefix);  // (B, K)
        var p = scores.Softmax(-1).ToArray();
        int K = Labels.Count;
        return [.. Enumerable.Range(0, B).Select(b => p.AsSpan(b * K, K).ToArray())];
    }

    /// <remarks>
    /// On the allocation-free inference path (<see cref="LlamaInference.HiddenStates"/>), the same math as <see cref="Run"/>:
    /// action token u is the model's added token V + u, read from <see cref="ActionTokens"/>.
    /// </remarks>
    Tensor HeadScores(int[] codes, int B, PromptPrefix prefix)
    {
        int W = SentenceLength, A = Prompt.AnswerCue.Length, V = Lm.Config.VocabSize;
        var ids = new int[B * (W + A)];
        for (int b = 0; b < B; b++)
        {
            for (int w = 0; w < W; w++) ids[b * (W + A) + w] = V + codes[b * W + w];
            Prompt.AnswerCue.CopyTo(ids, b * (W + A) + W);
        }
        inference ??= new LlamaInference(Lm);
        var hidden = inference.HiddenStates(ids, B, prefix, ActionTokens);                          // (B, W + A, C)
        return head.Forward(Pooled(hidden, W + A));                                                   // (B, K)
    }

    /// <summary>The head's input: the last hidden state averaged over the sentence and the answer cue, (B, C).</summary>
    static Tensor Pooled(Tensor hidden, int length) => hidden.Narrow(1, 0, length).Mean(1);

    /// <summary>Sum over each label's tokens of log p(token | prompt, sentence, earlier label tokens), one row per (clip, label).</summary>
    Tensor LabelScores(int[] codes, int B, PromptPrefix prefix)
    {
        int W = SentenceLength, A = Prompt.AnswerCue.Length, K = Labels.Count, L = Prompt.LongestLabel, S = W + A + L;
        var scores = new float[B * K];
        int clipsPerForward = Math.Max(1, LabelRowsPerForward / K);
        for (int first = 0; first < B; first += clipsPerForward)
        {
            int n = Math.Min(clipsPerForward, B - first), rows = n * K;
            var rowCodes = new int[rows * W];
            var ids = new int[rows * (A + L)];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < K; k++)
                {
                    int row = i * K + k;
                    Array.Copy(codes, (first + i) * W, rowCodes, row * W, W);
                    Prompt.AnswerCue.CopyTo(ids, row * (A + L));
                    Prompt.Labels[k].CopyTo(ids, row * (A + L) + A);
                }
            Run(rowCodes, ids, rows, prefix, computeLogits: true, out var logits);
            var logp = logits!.LogSoftmax(-1).Contiguous();                                          // (rows, S, V)
            int V = logp.Shape[2];
            var values = logp.Span;
            for (int i = 0; i < n; i++)
                for (int k = 0; k < K; k++)
                {
                    int row = i * K + k;
                    var label = Prompt.Labels[k];
                    double sum = 0;
                    for (int j = 0; j < label.Length; j++) sum += values[(row * S + W + A - 1 + j) * V + label[j]];
                    scores[(first + i) * K + k] = (float)sum;
                }
        }
        return new Tensor(scores, [B, K]);
    }

    /// <summary>
    /// [prefix; sentence; text] through the model: the sentence's code vectors (B, W, C), then the embeddings of
    /// <paramref name="ids"/> (B rows), attending the prefix. Returns the final hidden states (B, W + text, C).
    /// </summary>
    Tensor Run(int[] codes, int[] ids, int B, PromptPrefix prefix, bool computeLogits, out Tensor? logits)
    {
        int W = SentenceLength, C = Lm.Config.HiddenSize;
        var sentence = ActionTokens.IndexSelect(0, codes).Reshape(B, W, C);                            // (B, W, C)
        var x = Tensor.Concat([sentence, Lm.Embed(ids, B)], 1);                                       // (B, W + text, C)
        Lm.Prefix = prefix;
        try
        {
            var output = Lm.Forward(x, computeLogits: computeLogits);
            logits = output.Logits;
            return output.HiddenStates[^1];
        }
        finally
        {
            Lm.Prefix = null;
        }
    }

    /// <summary>The prompts' and instruction's keys and values with the trained LoRA folded into the weights, computed once.</summary>
    PromptPrefix ServingPrefix()
    {
        if (servingPrefix is not null) return servingPrefix;
        if (Lora is { Merged: false }) Lora.Merge(Lm);
        return servingPrefix = PromptPrefix.Encode(Lm, Prompt.Instruction, Prompts);
    }

    /// <summary>Training changes LoRA: take it back out of the weights and forget the serving prefix.</summary>
    void Unmerge()
    {
        servingPrefix = null;
        if (Lora is { Merged: true }) Lora.Unmerge(Lm);
    }
}
