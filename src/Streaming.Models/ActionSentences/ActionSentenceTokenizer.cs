using System.Text.Json.Nodes;
using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Models.Observations;
using Streaming.Tensors;
using Streaming.Tensors.IO;
using Streaming.Tensors.Nn;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Streaming.Models.ActionSentences;

/// <summary>
/// LLM-AR's action-sentence tokenizer (DESIGN.md §1 method 3): a VQ-VAE that turns a skeleton sequence of T frames into
/// W = T/4 code ids, "words" a language model can read. 1-D temporal convolutions encode; the encoder's outputs go into
/// the Poincare ball by the exponential map at 0, take the nearest of U codebook points by geodesic distance
/// (straight-through), and come back by the log map for the mirrored decoder. Frames are [T, inputs] floats in any
/// joint layout; the tokenizer does not look inside a frame.
/// </summary>
public sealed partial class ActionSentenceTokenizer : ObservationTokenizer
{
    public const string TokenizerKind = "action-sentences";

    public const string ConfigFile = "action_sentences.json";
    public const string WeightsFile = "action_sentences.safetensors";
    const string Format = "streaming-action-sentences/1";

    readonly Conv1d encIn, encDown1, encDown2, encOut;
    readonly Conv1d decIn, decOut;
    readonly ConvTranspose1d decUp1, decUp2;
    readonly Tensor zipf;                                   // (U) target usage by rank
    (Tensor Embeddings, float Mean)? lmKernel;

    public ActionSentenceConfig Config { get; }

    public override string Kind => TokenizerKind;
    public override int Inputs => Config.Inputs;
    public override int Codes => Config.Codes;
    public override int Width => Config.Width;

    /// <summary>W = T/4: T must be a positive multiple of the downsampling.</summary>
    public override int TokensFor(int frames) =>
        frames >= ActionSentenceConfig.Downsampling && frames % ActionSentenceConfig.Downsampling == 0 ? frames / ActionSentenceConfig.Downsampling
            : throw new ArgumentException($"action sentences: windows of {frames} frames; the encoder downsamples time by {ActionSentenceConfig.Downsampling}, so it needs a positive multiple of {ActionSentenceConfig.Downsampling}.", nameof(frames));

    /// <summary>
    /// The codebook as tangent vectors at the origin, (U, D); code u is the point exp_0(CodebookTangents[u]). Keeping the
    /// parameter in the tangent space keeps every code strictly inside the ball whatever step the optimizer takes.
    /// </summary>
    public Tensor CodebookTangents { get; }

    public ActionSentenceTokenizer(ActionSentenceConfig config, Random rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        int C = config.Inputs, H = config.Hidden, D = config.Width, U = config.Codes;
        var encoder = Child("encoder", new NamedScope());
        encIn = encoder.Add("conv_in", new Conv1d(C, H, 3, rng, padding: 1));
        encDown1 = encoder.Add("down1", new Conv1d(H, H, 4, rng, stride: 2, padding: 1));
        encDown2 = encoder.Add("down2", new Conv1d(H, H, 4, rng, stride: 2, padding: 1));
        encOut = encoder.Add("conv_out", new Conv1d(H, D, 3, rng, padding: 1));
        // Norms around 0.5, the scale of samples/lm's token embeddings (mean norm 0.79).
        CodebookTangents = Parameter("codebook", Init.Normal(rng, 0f, 0.05f, U, D));
        var decoder = Child("decoder", new NamedScope());
        decIn = decoder.Add("conv_in", new Conv1d(D, H, 3, rng, padding: 1));
        decUp1 = decoder.Add("up1", new ConvTranspose1d(H, H, 4, rng, stride: 2, padding: 1));
        decUp2 = decoder.Add("up2", new ConvTranspose1d(H, H, 4, rng, stride: 2, padding: 1));
        decOut = decoder.Add("conv_out", new Conv1d(H, C, 3, rng, padding: 1));
        zipf = ZipfTarget(U, config.ZipfAlpha, config.ZipfBeta);
    }

    /// <summary>The Zipf target over usage ranks r = 1..U: p(r) = (r + beta)^-alpha / sum_s (s + beta)^-alpha.</summary>
    public static Tensor ZipfTarget(int codes, float alpha, float beta)
    {
        var p = new double[codes];
        for (int r = 1; r <= codes; r++) p[r - 1] = Math.Pow(r + beta, -alpha);
        double sum = p.Sum();
        return Tensor.FromArray([.. p.Select(v => (float)(v / sum))], codes);
    }

    /// <summary>(B, T, inputs) -> (B*W, D): the encoder's tangent vectors, W = T/4.</summary>
    Tensor EncodeTangents(Tensor x)
    {
        var h = encIn.ForwardChannelsLast(x).Relu();    // (B, T, H)
        h = encDown1.ForwardChannelsLast(h).Relu();     // (B, T/2, H)
        h = encDown2.ForwardChannelsLast(h).Relu();     // (B, W, H)
        var z = encOut.ForwardChannelsLast(h);          // (B, W, D)
        return z.Reshape(-1, Config.Width);             // (B*W, D)
    }

    /// <summary>(B*W, D) tangent vectors -> (B, 4W, inputs) frames.</summary>
    Tensor DecodeTangents(Tensor z, int B)
    {
        var h = z.Reshape(B, -1, Config.Width).Transpose(1, 2); // (B, D, W)
        h = decIn.Forward(h).Relu();                    // (B, H, W)
        h = decUp1.Forward(h).Relu();                   // (B, H, 2W)
        h = decUp2.Forward(h).Relu();                   // (B, H, 4W)
        return decOut.Forward(h).Transpose(1, 2);       // (B, 4W, inputs)
    }

    /// <summary>The codes as points of the ball (or of flat space, in the Euclidean ablation), (U, D).</summary>
    Tensor Points() => ToSpace(CodebookTangents);

    bool Flat => Config.Geometry == CodebookGeometry.Euclidean;

    // The exponential and log maps at 0, and geodesic distances; identities and Euclidean distances in the flat ablation.
    Tensor ToSpace(Tensor tangents) => Flat ? tangents : PoincareBall.ExpMap0(tangents, Config.Curvature);
    Tensor ToTangents(Tensor points) => Flat ? points : PoincareBall.LogMap0(points, Config.Curvature);
    Tensor Distance(Tensor x, Tensor y) => Flat ? x.Sub(y).Square().Sum(-1).Add(1e-12f).Sqrt() : PoincareBall.Distance(x, y, Config.Curvature);
    // Flat: squared distances, which pick the same nearest code.
    Tensor PairwiseDistance(Tensor x, Tensor points) => Flat ? Codebook.PairwiseSquaredDistance(x, points) : PoincareBall.PairwiseDistance(x, points, Config.Curvature);

    /// <summary>The nearest code of each row of <paramref name="distances"/> (N, U).</summary>
    static int[] Nearest(Tensor distances)
    {
        int N = distances.Shape[0], U = distances.Shape[1];
        var d = distances.Contiguous();
        var ids = new int[N];
        for (int n = 0; n < N; n++) ids[n] = TensorPrimitives.IndexOfMin(d.Span.Slice(n * U, U));
        return ids;
    }

    /// <summary>The code ids of one sequence [T, inputs] -> W = T/4 ids.</summary>
    public int[] Encode(Tensor sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (sequence.Rank != 2) throw new ArgumentException($"action sentences: expected one sequence (T, {Config.Inputs}), got {Tensor.Format(sequence.Shape)}.", nameof(sequence));
        return EncodeBatch(sequence.Unsqueeze(0));
    }

    /// <summary>The code ids of a batch of equally long sequences (B, T, inputs) -> B*W ids, row-major.</summary>
    public override int[] EncodeBatch(Tensor frames)
    {
        CheckFrames(frames);
        return Serve(frames);
    }

    protected override Tensor CodebookParameter => CodebookTangents;

    /// <summary>Tangent vectors, like the codebook's.</summary>
    protected override Tensor CodebookSpaceEncodings(Tensor frames) => EncodeTangents(frames);

    /// <summary>The codes <paramref name="ids"/> as the language model reads them, (N, D): log_0 of their points, the tangent vectors the decoder reads.</summary>
    public override Tensor Embeddings(int[] ids)
    {
        CheckCodeIds(ids);
        using var _ = GradMode.Disable();
        return ToTangents(Points().IndexSelect(0, ids));
    }

    /// <summary>W code ids -> the (4W, inputs) frames the decoder reconstructs from them.</summary>
    public Tensor Decode(int[] ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Length == 0) throw new ArgumentException("action sentences: no code ids to decode.", nameof(ids));
        CheckCodeIds(ids);
        using var _ = GradMode.Disable();
        var z = ToTangents(Points().IndexSelect(0, ids));                            // (W, D)
        return DecodeTangents(z, 1).Squeeze(0);                                      // (4W, inputs)
    }

    /// <summary><see cref="Loss(Tensor, Tensor, Tensor)"/> with the Gumbel noise drawn from <paramref name="rng"/>.</summary>
    public ActionSentenceLoss Loss(Tensor frames, Tensor lmEmbeddings, Random rng)
    {
        CheckFrames(frames);
        return Loss(frames, lmEmbeddings, Gumbel.Noise(rng, frames.Shape[0] * (frames.Shape[1] / ActionSentenceConfig.Downsampling), Config.Codes));
    }

    /// <summary>
    /// The training loss of a batch of sequences (B, T, inputs) against the language model's token embeddings (V, D),
    /// with the Gumbel noise (B*W, U) given so a run can be replayed or compared with PyTorch.
    /// </summary>
    public ActionSentenceLoss Loss(Tensor frames, Tensor lmEmbeddings, Tensor gumbelNoise)
    {
        CheckFrames(frames);
        CheckEmbeddings(lmEmbeddings);
        int B = frames.Shape[0], W = frames.Shape[1] / ActionSentenceConfig.Downsampling, U = Config.Codes;
        if (!Tensor.SameShape(gumbelNoise.Shape, [B * W, U]))
            throw new ArgumentException($"action sentences: Gumbel noise {Tensor.Format(gumbelNoise.Shape)}, expected (B*W, U) = ({B * W}, {U}).", nameof(gumbelNoise));
        var cfg = Config;

        // VQ-VAE in the ball: encode, exp map, nearest code by geodesic distance, straight-through, log map, decode.
        var y = ToSpace(EncodeTangents(frames));                    // (N, D), N = B*W
        var points = Points();                                      // (U, D)
        var distances = PairwiseDistance(y, points);                // (N, U)
        var ids = Nearest(distances);                               // (N)
        var quantized = Codebook.StraightThrough(y, points, ids);   // (N, D)
        var reconstruction = DecodeTangents(ToTangents(quantized), B); // (B, 4W, inputs)
        var recLoss = Tensor.SmoothL1Loss(reconstruction, frames.Narrow(1, 0, ActionSentenceConfig.Downsampling * W));

        // The VQ-VAE pair with geodesic distances: codes move to the encodings, encodings commit to their codes.
        var chosen = points.IndexSelect(0, ids);                    // (N, D)
        var codebookLoss = Distance(y.Detach(), chosen).Square().Mean();
        var commitment = Distance(y, chosen.Detach()).Square().Mean();

        // L_human. Soft code counts: Gumbel-softmax over negative geodesic distances, one row per position.
        var soft = distances.Neg().GumbelSoftmax(gumbelNoise, cfg.GumbelTau, hard: false); // (N, U)
        // Zipf: the batch's usage sorted by rank should follow the Zipf law of word frequencies.
        var ranked = soft.Mean(0).Sort(descending: true).Values;    // (U)
        var zipfLoss = Tensor.JsDivergence(ranked, zipf);
        // Context: P_b(u) is code u's share of sequence b's W positions. The term is mean_b sum_{u < U/2} (P_b(u) - P_b(u + U/2))^2:
        // 0 exactly when every code appears in a sequence as often as its partner, and, as the shares sum to 1,
        // lowering it raises the co-usage sum_u P_b(u) P_b(u + U/2), so paired codes come to be used together.
        var perSequence = soft.Reshape(B, W, U).Mean(1);            // (B, U)
        var context = perSequence.Narrow(1, 0, U / 2).Sub(perSequence.Narrow(1, U / 2, U / 2)).Square().Sum(1).Mean();
        // MMD between the codebook (its tangent vectors, log_0 of the codes) and the LM's token embeddings, so codes look like words.
        var mmd = MaximumMeanDiscrepancy.GaussianBiased(CodebookTangents, lmEmbeddings, cfg.MmdBandwidth, LmKernelMean(lmEmbeddings));

        var human = zipfLoss.Mul(cfg.ZipfWeight).Add(context.Mul(cfg.ContextWeight)).Add(mmd.Mul(cfg.MmdWeight));
        var total = recLoss.Add(codebookLoss).Add(commitment.Mul(cfg.CommitmentWeight)).Add(human.Mul(cfg.HumanWeight));
        return new ActionSentenceLoss(total, recLoss, codebookLoss, commitment, zipfLoss, context, mmd, ids);
    }

    /// <summary>MMD's constant term for the frozen model's embeddings, computed once per embedding table.</summary>
    float LmKernelMean(Tensor lmEmbeddings)
    {
        if (lmKernel is not { } k || !ReferenceEquals(k.Embeddings, lmEmbeddings))
            lmKernel = k = (lmEmbeddings, MaximumMeanDiscrepancy.KernelMean(lmEmbeddings, Config.MmdBandwidth));
        return k.Mean;
    }

    void CheckEmbeddings(Tensor lmEmbeddings)
    {
        ArgumentNullException.ThrowIfNull(lmEmbeddings);
        if (lmEmbeddings.Rank != 2 || lmEmbeddings.Shape[1] != Config.Width)
            throw new ArgumentException($"action sentences: the language model's token embeddings are {Tensor.Format(lmEmbeddings.Shape)} but the codebook width is {Config.Width}; expected (V, {Config.Width}). Build the tokenizer with ActionSentenceConfig.ForLanguageModel.", nameof(lmEmbeddings));
    }

    /// <summary>Frames must be (B, T, inputs) with T at least the downsampling factor and every value finite.</summary>
    protected override void CheckFrames(Tensor frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Rank != 3 || frames.Shape[2] != Config.Inputs)
            throw new ArgumentException($"action sentences: expected frames (B, T, {Config.Inputs}), got {Tensor.Format(frames.Shape)}.", nameof(frames));
        int T = frames.Shape[1];
        if (T < ActionSentenceConfig.Downsampling)
            throw new ArgumentException($"action sentences: a sequence of {T} frame(s) is too short; the encoder downsamples time by {ActionSentenceConfig.Downsampling}, so it needs at least {ActionSentenceConfig.Downsampling} frames.", nameof(frames));
        CheckFinite(frames, "sequence");
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
            ["width"] = c.Width,
            ["hidden"] = c.Hidden,
            ["codes"] = c.Codes,
            ["downsampling"] = ActionSentenceConfig.Downsampling,
            ["curvature"] = c.Curvature,
            ["commitment_weight"] = c.CommitmentWeight,
            ["human_weight"] = c.HumanWeight,
            ["zipf_alpha"] = c.ZipfAlpha,
            ["zipf_beta"] = c.ZipfBeta,
            ["gumbel_tau"] = c.GumbelTau,
            ["mmd_bandwidth"] = c.MmdBandwidth,
            ["geometry"] = c.Geometry.ToString(),
            ["zipf_weight"] = c.ZipfWeight,
            ["context_weight"] = c.ContextWeight,
            ["mmd_weight"] = c.MmdWeight,
        });
    }

    /// <summary>Loads a tokenizer written by <see cref="Save"/>; a missing file, field or tensor is an error naming it.</summary>
    public static ActionSentenceTokenizer Load(string folder)
    {
        var json = ConfigJson.Read(Path.Combine(folder, ConfigFile));
        if (json.String("format") != Format) throw json.Invalid("format", $"'{json.String("format")}' where '{Format}' was expected");
        if (json.Int("downsampling") != ActionSentenceConfig.Downsampling) throw json.Invalid("downsampling", $"{json.Int("downsampling")}; this tokenizer downsamples by {ActionSentenceConfig.Downsampling}");
        var config = new ActionSentenceConfig
        {
            Inputs = json.PositiveInt("inputs"),
            Width = json.PositiveInt("width"),
            Hidden = json.PositiveInt("hidden"),
            Codes = json.PositiveInt("codes"),
            Curvature = json.Float("curvature"),
            CommitmentWeight = json.Float("commitment_weight"),
            HumanWeight = json.Float("human_weight"),
            ZipfAlpha = json.Float("zipf_alpha"),
            ZipfBeta = json.Float("zipf_beta"),
            GumbelTau = json.Float("gumbel_tau"),
            MmdBandwidth = json.Float("mmd_bandwidth"),
            Geometry = Enum.TryParse<CodebookGeometry>(json.String("geometry", nameof(CodebookGeometry.Poincare)), out var geometry)
                ? geometry : throw json.Invalid("geometry", "expected Poincare or Euclidean"),
            ZipfWeight = json.Float("zipf_weight", 1f),
            ContextWeight = json.Float("context_weight", 1f),
            MmdWeight = json.Float("mmd_weight", 1f),
        };
        var tokenizer = new ActionSentenceTokenizer(config, new Random(0));
        tokenizer.LoadState(ReadWeights(folder, WeightsFile));
        return tokenizer;
    }
}
