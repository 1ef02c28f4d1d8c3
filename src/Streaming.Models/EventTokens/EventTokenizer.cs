using System.Text.Json.Nodes;
using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Models.Observations;
using Streaming.Tensors;
using Streaming.Tensors.IO;
using Streaming.Tensors.Nn;

namespace Streaming.Models.EventTokens;

/// <summary>
/// VT-LVLM-AR's Video-to-Event Mapper: a window of T frames becomes M event tokens, one per segment of time, where the
/// segments follow a learned saliency so that busy stretches of the window get more of them. Per-frame positions and
/// velocities go through a temporal convolution; a softmax over time around M evenly spaced points of the cumulative
/// saliency pools the frames into M segments, in order; each segment is projected to the language model's width and
/// quantized to the nearest of K codes (straight-through). A decoder reconstructs each segment's pooled features from its
/// code, and an InfoNCE term pulls each segment towards the next one of its window. Frames are (T, F) floats in any joint
/// layout; the tokenizer does not look inside a frame.
/// </summary>
public sealed partial class EventTokenizer : ObservationTokenizer
{
    public const string TokenizerKind = "event-tokens";
    public const string ConfigFile = "event_tokens.json";
    public const string WeightsFile = "event_tokens.safetensors";
    const string Format = "streaming-event-tokens/1";
    const int NoSuccessor = -1;                 // the last segment of a window anchors no InfoNCE term

    readonly Conv1d conv1, conv2;               // the encoder: (2F -> H), (H -> H), kernel 3
    readonly Linear? saliency;                  // (H -> 1): s_t = softplus(w . h_t + b) + 1e-3; none with uniform pooling
    readonly Linear projection;                 // (H -> D)
    readonly Linear fc1, fc2;                   // the decoder: (D -> H), (H -> 2F)

    public EventTokenConfig Config { get; }

    /// <summary>The codes, (K, D): code k is the vector the language model reads for event token k.</summary>
    public Tensor Codebook { get; }

    public override string Kind => TokenizerKind;
    public override int Inputs => Config.Inputs;
    public override int Codes => Config.Codes;
    public override int Width => Config.Width;

    public EventTokenizer(EventTokenConfig config, Random rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rng);
        config.Validate();
        Config = config;
        int F = config.Inputs, H = config.Hidden, D = config.Width, K = config.Codes;
        var encoder = Child("encoder", new NamedScope());
        conv1 = encoder.Add("conv1", new Conv1d(2 * F, H, 3, rng, padding: 1));
        conv2 = encoder.Add("conv2", new Conv1d(H, H, 3, rng, padding: 1));
        if (config.Pooling == EventPooling.Adaptive) saliency = Child("saliency", new Linear(H, 1, bias: true, rng));
        projection = Child("projection", new Linear(H, D, bias: true, rng));
        // Norms around 0.5 at D = 128, the scale of samples/lm's token embeddings (mean norm 0.79).
        Codebook = Parameter("codebook", Init.Normal(rng, 0f, 0.05f, K, D));
        var decoder = Child("decoder", new NamedScope());
        fc1 = decoder.Add("fc1", new Linear(D, H, bias: true, rng));
        fc2 = decoder.Add("fc2", new Linear(H, 2 * F, bias: true, rng));
    }

    /// <summary>M: every window long enough becomes one token per segment; one shorter than M frames cannot be split into M.</summary>
    public override int TokensFor(int frames) => frames >= Config.Segments ? Config.Segments : throw ShortWindow(frames);

    ArgumentException ShortWindow(int frames) => new(
        $"event tokens: a window of {frames} frame(s) is shorter than the M = {Config.Segments} segments it is pooled into; windows need at least {Config.Segments} frames.", "frames");

    /// <summary>
    /// Soft assignments a (B, M, T) of T frames to M segments from the frames' saliencies (B, T), all positive. Frame t sits at
    /// c_t = (sum_{tau &lt; t} s_tau + s_t / 2) / sum_tau s_tau in (0, 1), the middle of its share of the window's saliency;
    /// segment m weighs the frames by softmax_t(-(c_t - (m + 0.5)/M)^2 / (2 sigma^2)), sigma = 1/(2M). Equal saliencies
    /// give segments of equal length; a salient stretch takes a larger share of (0, 1), so more segments; segments stay in order.
    /// </summary>
    public static Tensor SegmentAssignment(Tensor saliencies, int segments)
    {
        ArgumentNullException.ThrowIfNull(saliencies);
        if (saliencies.Rank != 2 || saliencies.Shape[1] == 0)
            throw new ArgumentException($"event tokens: expected saliencies (B, T) with T >= 1, got {Tensor.Format(saliencies.Shape)}.", nameof(saliencies));
        if (segments < 1) throw new ArgumentOutOfRangeException(nameof(segments), $"event tokens: {segments} segments; need at least 1.");
        int T = saliencies.Shape[1], M = segments;
        var c = saliencies.MatMul(MidpointCumulation(T)).Div(saliencies.Sum(1, keepDim: true)); // (B, T)
        var centres = Tensor.FromArray([.. Enumerable.Range(0, M).Select(m => (m + 0.5f) / M)], M, 1); // (M, 1)
        float sigma = 1f / (2 * M);
        var d = c.Unsqueeze(1).Sub(centres);                                       // (B, M, T)
        return d.Square().Mul(-1f / (2 * sigma * sigma)).Softmax(-1);              // (B, M, T)
    }

    /// <summary>L (T, T) with L[tau, t] = 1 for tau &lt; t and 1/2 for tau = t, so (s L)_t = sum_{tau &lt; t} s_tau + s_t / 2: a cumulative sum as a matrix product.</summary>
    static Tensor MidpointCumulation(int T)
    {
        var L = Tensor.Zeros(T, T);
        for (int t = 0; t < T; t++)
        {
            for (int tau = 0; tau < t; tau++) L[tau, t] = 1f;
            L[t, t] = 0.5f;
        }
        return L;
    }

    /// <summary>Frames (B, T, F) -> the per-frame features f (B, T, 2F), the segment assignments a (B, M, T) and the segment encodings z (B*M, D).</summary>
    (Tensor Features, Tensor Assignment, Tensor Z) EncodeSegments(Tensor x)
    {
        int B = x.Shape[0], T = x.Shape[1];
        // 1. positions and velocities, the velocity 0 at t = 0
        var previous = Tensor.Concat([x.Narrow(1, 0, 1), x.Narrow(1, 0, T - 1)], 1); // (B, T, F): x_{t-1}, and x_0 at t = 0
        var f = Tensor.Concat([x, x.Sub(previous)], 2);                            // (B, T, 2F)
        // 2. the encoder, along time
        var h = conv1.ForwardChannelsLast(f).Relu();                               // (B, T, H)
        h = conv2.ForwardChannelsLast(h).Relu();                                   // (B, T, H)
        // 3. pooling into M segments by saliency (1 everywhere when uniform), the 1e-3 keeping every frame's share positive
        var s = saliency is null ? Tensor.Ones(B, T) : saliency.Forward(h).Squeeze(-1).Softplus().Add(1e-3f); // (B, T)
        var a = SegmentAssignment(s, Config.Segments);                             // (B, M, T)
        var e = a.MatMul(h);                                                       // (B, M, H)
        // 4. to the code width...
        var z = projection.Forward(e).Reshape(-1, Config.Width);                   // (B*M, D)
        return (f, a, z);
    }

    /// <summary>The code ids of one window (T, F) -> M ids.</summary>
    public int[] Encode(Tensor window)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (window.Rank != 2) throw new ArgumentException($"event tokens: expected one window (T, {Config.Inputs}), got {Tensor.Format(window.Shape)}.", nameof(window));
        return EncodeBatch(window.Unsqueeze(0));
    }

    /// <summary>The code ids of a batch of equally long windows (B, T, F) -> B*M ids, row-major.</summary>
    public override int[] EncodeBatch(Tensor frames)
    {
        CheckFrames(frames);
        return Serve(frames);
    }

    protected override Tensor CodebookParameter => Codebook;

    /// <summary>The segments' projections, which the codebook quantizes.</summary>
    protected override Tensor CodebookSpaceEncodings(Tensor frames) => EncodeSegments(frames).Z;

    /// <summary>The codes <paramref name="ids"/> as the language model reads them, (N, D): rows of the codebook.</summary>
    public override Tensor Embeddings(int[] ids)
    {
        CheckCodeIds(ids);
        using var _ = GradMode.Disable();
        return Codebook.IndexSelect(0, ids);
    }

    /// <summary>The training loss of a batch of windows (B, T, F).</summary>
    public EventTokenLoss Loss(Tensor frames)
    {
        CheckFrames(frames);
        var cfg = Config;
        int B = frames.Shape[0];
        var (f, a, z) = EncodeSegments(frames);                                    // (B, T, 2F), (B, M, T), (N, D), N = B*M

        // 4. ...and the nearest code, straight-through: the decoder reads the code and its gradient reaches z.
        var (quantized, ids) = ActionSentences.Codebook.Nearest(z, Codebook);      // (N, D)
        // 5. each code reconstructs its segment's pooled features fbar_m = sum_t sg(a_mt) f_t. The weights are detached in
        // the target, or the encoder could lower the loss by pooling where the features are easy to reconstruct.
        var reconstruction = fc2.Forward(fc1.Forward(quantized).Relu());           // (N, 2F)
        var pooled = a.Detach().MatMul(f).Reshape(-1, f.Shape[2]);                 // (N, 2F)
        var recLoss = Tensor.SmoothL1Loss(reconstruction, pooled);

        // The VQ-VAE pair: codes move to the encodings, encodings commit to their codes (squared distances, mean over segments).
        var chosen = Codebook.IndexSelect(0, ids);                                 // (N, D)
        var codebookLoss = z.Detach().Sub(chosen).Square().Sum(1).Mean();
        var commitment = z.Sub(chosen.Detach()).Square().Sum(1).Mean();

        var contrast = Contrast(z, B);
        var total = recLoss.Mul(cfg.ReconstructionWeight).Add(contrast.Mul(cfg.ContrastWeight)).Add(codebookLoss).Add(commitment.Mul(cfg.CommitmentWeight));
        return new EventTokenLoss(total, recLoss, contrast, codebookLoss, commitment, ids);
    }

    /// <summary>
    /// InfoNCE over the batch's N = B*M segment encodings z (N, D): anchor (b, m), m &lt; M-1, should pick its successor
    /// (b, m+1) by cosine / tau among every other segment of the batch; itself and its predecessor (b, m-1), its other
    /// neighbour, are left out. Neighbouring segments of a window pull together; far ones and other windows' push apart.
    /// </summary>
    Tensor Contrast(Tensor z, int B)
    {
        int M = Config.Segments, N = B * M;
        var unit = z.Div(z.Square().Sum(1, keepDim: true).Sqrt().Clamp(1e-12f, float.PositiveInfinity)); // (N, D), as F.normalize
        var logits = unit.MatMul(unit.T).Div(Config.Temperature);                  // (N, N)
        var excluded = new float[N * N];                                           // (N, N) mask
        var successor = new int[N];
        for (int i = 0; i < N; i++)
        {
            int m = i % M;
            excluded[i * N + i] = 1f;
            if (m > 0) excluded[i * N + i - 1] = 1f;
            successor[i] = m < M - 1 ? i + 1 : NoSuccessor;
        }
        var candidates = logits.MaskedFill(Tensor.FromArray(excluded, N, N), float.NegativeInfinity);
        return Tensor.CrossEntropy(candidates, successor, ignoreIndex: NoSuccessor);
    }

    /// <summary>Frames must be (B, T, F) with B at least 1, T at least M and every value finite.</summary>
    protected override void CheckFrames(Tensor frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Rank != 3 || frames.Shape[2] != Config.Inputs || frames.Shape[0] == 0)
            throw new ArgumentException($"event tokens: expected frames (B, T, {Config.Inputs}) with B >= 1, got {Tensor.Format(frames.Shape)}.", nameof(frames));
        int T = frames.Shape[1];
        if (T < Config.Segments) throw ShortWindow(T);
        CheckFinite(frames, "window");
    }

    /// <summary>Writes <see cref="ConfigFile"/> (the config) and <see cref="WeightsFile"/> (every parameter, float32) into <paramref name="folder"/>.</summary>
    public override void Save(string folder)
    {
        SaveWeights(folder, WeightsFile, Format);
        var c = Config;
        ConfigJson.Write(Path.Combine(folder, ConfigFile), new JsonObject
        {
            ["format"] = Format,
            ["inputs"] = c.Inputs,
            ["hidden"] = c.Hidden,
            ["width"] = c.Width,
            ["segments"] = c.Segments,
            ["codes"] = c.Codes,
            ["pooling"] = c.Pooling.ToString(),
            ["reconstruction_weight"] = c.ReconstructionWeight,
            ["contrast_weight"] = c.ContrastWeight,
            ["temperature"] = c.Temperature,
            ["commitment_weight"] = c.CommitmentWeight,
        });
    }

    /// <summary>Loads a tokenizer written by <see cref="Save"/>; a missing file or field, or a tensor the config does not shape so, is an error naming it.</summary>
    public static EventTokenizer Load(string folder)
    {
        var json = ConfigJson.Read(Path.Combine(folder, ConfigFile));
        if (json.String("format") != Format) throw json.Invalid("format", $"'{json.String("format")}' where '{Format}' was expected");
        var config = new EventTokenConfig
        {
            Inputs = json.PositiveInt("inputs"),
            Hidden = json.PositiveInt("hidden"),
            Width = json.PositiveInt("width"),
            Segments = json.PositiveInt("segments"),
            Codes = json.PositiveInt("codes"),
            Pooling = Enum.TryParse<EventPooling>(json.String("pooling"), out var pooling) && Enum.IsDefined(pooling)
                ? pooling : throw json.Invalid("pooling", $"'{json.String("pooling")}'; expected {EventPooling.Adaptive} or {EventPooling.Uniform}"),
            ReconstructionWeight = json.Float("reconstruction_weight"),
            ContrastWeight = json.Float("contrast_weight"),
            Temperature = json.Float("temperature"),
            CommitmentWeight = json.Float("commitment_weight"),
        };
        var tokenizer = new EventTokenizer(config, new Random(0));
        var state = ReadWeights(folder, WeightsFile);
        try
        {
            tokenizer.LoadState(state);
        }
        catch (InvalidDataException e)
        {
            // LoadState lists each missing, unexpected or mis-shaped tensor with both shapes; say which files disagree.
            throw new InvalidDataException($"event tokens: {Path.GetFullPath(Path.Combine(folder, WeightsFile))} does not fit the config in {ConfigFile} " +
                $"(inputs {config.Inputs}, hidden {config.Hidden}, width {config.Width}, codes {config.Codes}, {config.Pooling} pooling); " +
                $"were the two files written by different tokenizers? {e.Message}", e);
        }
        return tokenizer;
    }
}
