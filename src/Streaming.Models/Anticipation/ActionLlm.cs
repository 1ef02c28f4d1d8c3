using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization;
using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Anticipation;

// ActionLLM (DESIGN.md §1.1): long-term action anticipation with a frozen decoder LM.
// Observed steps enter as text features (mean LM token embedding of each step's label) and, when the data has them,
// visual features (Dv per step, through the feature adapter Linear-SiLU-Linear into the LM width); N learnable
// action queries follow. A Cross-Modality Interaction Block mixes the streams in a small width, they are projected
// back with residuals, concatenated [T; V; Q] ([T; Q] label-only), normed, squeezed through the "action tuning"
// bottleneck, and run through the frozen LM. Heads: the past classifier at the text positions and at the visual
// positions, and per query the next segment's class (K actions + "None", which ends the future) and duration.
// Shapes: S observed steps, N queries, C LM width, D CMIB width, K actions, Dv visual features per step.

/// <summary>Hyper-parameters of <see cref="ActionLlm"/> (paper defaults scaled for CPU where noted).</summary>
public sealed record ActionLlmConfig
{
    public int Queries { get; init; } = 20;                 // N action queries [20]
    public int InteractionWidth { get; init; } = 64;        // D, the CMIB width [128]
    public int InteractionHeads { get; init; } = 4;
    public int TuningWidth { get; init; } = 4;              // the action-tuning bottleneck [4]
    public float Dropout { get; init; } = 0.1f;
    public bool UseInteractionBlock { get; init; } = true;  // ablation "without CMIB"
    public QueryInit QueryInit { get; init; } = QueryInit.Constant;
    public int VisualFeatures { get; init; }                // Dv per observed step [I3D: 2048]; 0: label-only, no visual stream

    /// <summary>Checks that the settings fit together; throws naming the first that does not.</summary>
    public ActionLlmConfig Validate()
    {
        if (VisualFeatures < 0) throw new ArgumentException($"ActionLLM: VisualFeatures is {VisualFeatures}; 0 (label-only) or Dv > 0.");
        if (Queries < 1) throw new ArgumentException($"ActionLLM: {Queries} queries; at least 1.");
        if (InteractionHeads < 1 || InteractionWidth < 1 || InteractionWidth % InteractionHeads != 0)
            throw new ArgumentException($"ActionLLM: the interaction width {InteractionWidth} must be a positive multiple of its {InteractionHeads} heads.");
        if (TuningWidth < 1) throw new ArgumentException($"ActionLLM: the tuning width is {TuningWidth}; at least 1.");
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ArgumentException($"ActionLLM: dropout {Dropout} must be in [0, 1).");
        return this;
    }
}

/// <summary>How the action queries start: the paper's constant initialization, zeros, or N(0, 1).</summary>
public enum QueryInit { Constant, Zero, Normal }

/// <summary>One attention head group: softmax(q(x) k(y)^T) v(y), projected out; no mask (every step sees every step).</summary>
public sealed class CrossAttention : Module
{
    readonly Linear q, k, v, o;
    readonly int heads;

    public CrossAttention(int width, int heads, Random rng)
    {
        this.heads = heads;
        (q, k, v, o) = (Child("q", new Linear(width, width, true, rng)), Child("k", new Linear(width, width, true, rng)),
            Child("v", new Linear(width, width, true, rng)), Child("o", new Linear(width, width, true, rng)));
    }

    /// <summary>x (B, Tx, D) attends y (B, Ty, D) -> (B, Tx, D); <paramref name="yPadding"/> (B, Ty): nonzero marks a padded step of y, which no row attends.</summary>
    public Tensor Forward(Tensor x, Tensor y, Tensor? yPadding = null)
    {
        int b = x.Shape[0], tx = x.Shape[1], ty = y.Shape[1], d = x.Shape[2], hd = d / heads;
        var qh = q.Forward(x).Reshape(b, tx, heads, hd).Transpose(1, 2);     // (B, H, Tx, hd)
        var kh = k.Forward(y).Reshape(b, ty, heads, hd).Transpose(1, 2);     // (B, H, Ty, hd)
        var vh = v.Forward(y).Reshape(b, ty, heads, hd).Transpose(1, 2);
        var att = Tensor.ScaledDotProductAttention(qh, kh, vh, keyPaddingMask: yPadding); // (B, H, Tx, hd)
        return o.Forward(att.Transpose(1, 2).Reshape(b, tx, d));
    }
}

/// <summary>
/// The Cross-Modality Interaction Block. Each stream attends itself and the others, summed:
/// O_T = MHSA(T) + MHA(T, Q) + MHA(T, V), O_Q = MHSA(Q) + MHA(Q, T) + MHA(Q, V), O_V = MHSA(V) + MHA(V, T) + MHA(V, Q);
/// then per stream x = norm(x + O), x = norm(x + FFN(x)). Label-only data has no visual stream V and no V terms.
/// </summary>
public sealed class InteractionBlock : Module
{
    readonly CrossAttention tt, tq, qq, qt;
    readonly Linear ffnT1, ffnT2, ffnQ1, ffnQ2;
    readonly Tensor normT1, normT2, normQ1, normQ2;
    readonly VisualStream? visual;

    /// <summary>The visual stream's attention (V attends T, Q, itself; T and Q attend V), FFN and norms.</summary>
    sealed record VisualStream(CrossAttention TV, CrossAttention QV, CrossAttention VV, CrossAttention VT, CrossAttention VQ,
        Linear Ffn1, Linear Ffn2, Tensor Norm1, Tensor Norm2);

    public InteractionBlock(int width, int heads, Random rng, bool visual = false)
    {
        (tt, tq) = (Child("t_self", new CrossAttention(width, heads, rng)), Child("t_q", new CrossAttention(width, heads, rng)));
        (qq, qt) = (Child("q_self", new CrossAttention(width, heads, rng)), Child("q_t", new CrossAttention(width, heads, rng)));
        (ffnT1, ffnT2) = (Child("t_ffn1", new Linear(width, 4 * width, true, rng)), Child("t_ffn2", new Linear(4 * width, width, true, rng)));
        (ffnQ1, ffnQ2) = (Child("q_ffn1", new Linear(width, 4 * width, true, rng)), Child("q_ffn2", new Linear(4 * width, width, true, rng)));
        (normT1, normT2) = (Parameter("t_norm1", Tensor.Ones(width)), Parameter("t_norm2", Tensor.Ones(width)));
        (normQ1, normQ2) = (Parameter("q_norm1", Tensor.Ones(width)), Parameter("q_norm2", Tensor.Ones(width)));
        // The visual stream comes last, so a label-only block holds and draws exactly what it did before V existed.
        if (visual)
            this.visual = new VisualStream(Child("t_v", new CrossAttention(width, heads, rng)), Child("q_v", new CrossAttention(width, heads, rng)),
                Child("v_self", new CrossAttention(width, heads, rng)), Child("v_t", new CrossAttention(width, heads, rng)), Child("v_q", new CrossAttention(width, heads, rng)),
                Child("v_ffn1", new Linear(width, 4 * width, true, rng)), Child("v_ffn2", new Linear(4 * width, width, true, rng)),
                Parameter("v_norm1", Tensor.Ones(width)), Parameter("v_norm2", Tensor.Ones(width)));
    }

    /// <summary>
    /// t (B, S, D), q (B, N, D) and, for a block with a visual stream, v (B, S, D) -> the three updated.
    /// <paramref name="stepPadding"/> (B, S): nonzero marks a padded step of t and v, which nothing attends.
    /// </summary>
    public (Tensor T, Tensor Q, Tensor? V) Forward(Tensor t, Tensor q, Tensor? v = null, Tensor? stepPadding = null)
    {
        if ((v is null) != (visual is null))
            throw new ArgumentException(visual is null ? "InteractionBlock: a visual stream was given to a label-only block." : "InteractionBlock: the visual stream is missing.", nameof(v));
        var ot = tt.Forward(t, t, stepPadding) + tq.Forward(t, q);
        var oq = qq.Forward(q, q) + qt.Forward(q, t, stepPadding);
        if (v is not null && visual is not null)
        {
            var ov = visual.VV.Forward(v, v, stepPadding) + visual.VT.Forward(v, t, stepPadding) + visual.VQ.Forward(v, q);
            ot = ot + visual.TV.Forward(t, v, stepPadding);
            oq = oq + visual.QV.Forward(q, v, stepPadding);
            v = Tensor.RmsNorm(v + ov, visual.Norm1, 1e-6f);
            v = Tensor.RmsNorm(v + visual.Ffn2.Forward(visual.Ffn1.Forward(v).Silu()), visual.Norm2, 1e-6f);
        }
        t = Tensor.RmsNorm(t + ot, normT1, 1e-6f);
        q = Tensor.RmsNorm(q + oq, normQ1, 1e-6f);
        t = Tensor.RmsNorm(t + ffnT2.Forward(ffnT1.Forward(t).Silu()), normT2, 1e-6f);
        q = Tensor.RmsNorm(q + ffnQ2.Forward(ffnQ1.Forward(q).Silu()), normQ2, 1e-6f);
        return (t, q, v);
    }
}

/// <summary>
/// A decoded future segment: its action, its share of the unobserved rest (shares sum to 1 when actions follow the one
/// in progress), and the probability of the action at its query (the softmax, or with transitions the normalized product).
/// </summary>
public readonly record struct AnticipatedSegment(int Action, double Share, double Probability);

/// <summary>The action in progress when anticipating: its class, how long it has run and how much of the activity is left, both as fractions of the activity.</summary>
public readonly record struct ActionInProgress(int Action, double Elapsed, double Rest);

/// <summary>What ActionLLM predicts for one observation; VisualPastLogits only when it reads visual features.</summary>
public sealed record ActionLlmOutput(Tensor PastLogits, Tensor FutureLogits, Tensor Durations, Tensor? VisualPastLogits = null); // (S, K), (N, K+1), (N), (S, K)

/// <summary>
/// ActionLLM on a frozen <see cref="LlamaModel"/>. Only this module's parameters train: the LM is frozen by the
/// constructor and is not part of this module's parameter tree (it is saved and loaded apart).
/// </summary>
public sealed class ActionLlm : Module
{
    readonly LlamaModel lm;
    readonly Tensor labelFeatures;        // (K, C) mean token embedding of each label's text; fixed
    readonly Tensor queries;              // (N, C)
    readonly Linear downT, downQ, upT, upQ, tuneDown, tuneUp, pastHead, futureHead, durationHead;
    readonly InteractionBlock? interaction;
    readonly Tensor joinNorm;
    readonly VisualBranch? visual;
    readonly Random rng;

    /// <summary>The feature adapter Linear(Dv, C)-SiLU-Linear(C, C) and the visual stream's down/up projections around the CMIB.</summary>
    sealed record VisualBranch(Linear Adapter1, Linear Adapter2, Linear Down, Linear Up);

    public ActionLlmConfig Config { get; }
    public IReadOnlyList<string> Actions { get; }

    /// <summary>
    /// The training runs' durations; when set, decoding takes the remaining time of the action in progress from them
    /// instead of from the first query (see <see cref="Anticipate"/>). Not a parameter: counted, not learned.
    /// </summary>
    public ActionDurations? Durations
    {
        get;
        set => field = value is null || value.Actions == Actions.Count ? value
            : throw new ArgumentException($"ActionLLM: durations of {value.Actions} actions for a model of {Actions.Count}.", nameof(value));
    }

    /// <summary>
    /// The training videos' transitions; when set, decoding weighs each query's class probabilities by the transition
    /// from the action before it (see <see cref="Anticipate"/>). Counted, not learned.
    /// </summary>
    public ActionTransitions? Transitions
    {
        get;
        set => field = value is null || value.Actions == Actions.Count ? value
            : throw new ArgumentException($"ActionLLM: transitions of {value.Actions} actions for a model of {Actions.Count}.", nameof(value));
    }

    /// <summary>The class index of "None", the end of the future.</summary>
    public int NoneClass => Actions.Count;

    /// <summary>The most observed steps one forward takes: the LM's positions less the queries that follow them, halved when each step also takes a visual position.</summary>
    public int MaxObservedSteps => (lm.Config.MaxPositionEmbeddings - Config.Queries) / (Config.VisualFeatures > 0 ? 2 : 1);

    public ActionLlm(LlamaModel lm, Tokenizer tokenizer, IReadOnlyList<string> actions, ActionLlmConfig config, Random rng)
    {
        (this.lm, Config, Actions, this.rng) = (lm, config, actions, rng);
        config.Validate();
        lm.Freeze();
        lm.Eval();
        int c = lm.Config.HiddenSize, d = config.InteractionWidth, k = actions.Count;
        labelFeatures = LabelFeatures(lm, tokenizer, actions);
        queries = Parameter("queries", config.QueryInit switch
        {
            QueryInit.Constant => Tensor.Full(0.1f, config.Queries, c),
            QueryInit.Zero => Tensor.Zeros(config.Queries, c),
            _ => Init.Normal(rng, 0f, 1f, config.Queries, c),
        });
        (downT, downQ) = (Child("down_t", new Linear(c, d, true, rng)), Child("down_q", new Linear(c, d, true, rng)));
        (upT, upQ) = (Child("up_t", new Linear(d, c, true, rng)), Child("up_q", new Linear(d, c, true, rng)));
        if (config.UseInteractionBlock) interaction = Child("cmib", new InteractionBlock(d, config.InteractionHeads, rng, visual: config.VisualFeatures > 0));
        joinNorm = Parameter("join_norm", Tensor.Ones(c));
        (tuneDown, tuneUp) = (Child("tune_down", new Linear(c, config.TuningWidth, true, rng)), Child("tune_up", new Linear(config.TuningWidth, c, true, rng)));
        pastHead = Child("past_head", new Linear(c, k, true, rng));
        futureHead = Child("future_head", new Linear(c, k + 1, true, rng));
        durationHead = Child("duration_head", new Linear(c, 1, true, rng));
        // The visual branch comes last, so a label-only model holds and draws exactly what it did before it existed.
        if (config.VisualFeatures > 0)
            visual = new VisualBranch(Child("adapter1", new Linear(config.VisualFeatures, c, true, rng)), Child("adapter2", new Linear(c, c, true, rng)),
                Child("down_v", new Linear(c, d, true, rng)), Child("up_v", new Linear(d, c, true, rng)));
    }

    /// <summary>Text feature of a label: the mean LM embedding of its tokens ("cut_tomato" reads as "cut tomato").</summary>
    static Tensor LabelFeatures(LlamaModel lm, Tokenizer tokenizer, IReadOnlyList<string> actions)
    {
        int c = lm.Config.HiddenSize;
        var features = new float[actions.Count * c];
        for (int a = 0; a < actions.Count; a++)
        {
            var ids = tokenizer.Encode(ActionCorpus.Phrase(actions[a]), addSpecialTokens: false).ToArray();
            if (ids.Length == 0) throw new ArgumentException($"ActionLLM: the tokenizer gives no tokens for action '{actions[a]}'.");
            using var _ = GradMode.Disable();
            lm.Embed(ids, 1).Mean(1).ToArray().CopyTo(features, a * c);
        }
        return Tensor.FromArray(features, actions.Count, c);
    }

    /// <summary>
    /// Observed steps (their action indices, S) and, for a model with <see cref="ActionLlmConfig.VisualFeatures"/> = Dv,
    /// their visual features (S, Dv) -> past logits (from the text and from the visual positions), future logits and durations.
    /// </summary>
    public ActionLlmOutput Forward(int[] observed, Tensor? features = null) => Forward([observed], features is null ? null : [features])[0];

    /// <summary>
    /// A batch of observations in one forward: B rows of S_b steps (and (S_b, Dv) features each, for a visual model), padded to
    /// the longest, S. Each row computes what it would alone: padded steps are masked out of every attention, and the LM's
    /// rotary positions count only a row's own steps, so its queries sit at the positions they have unpadded.
    /// </summary>
    public IReadOnlyList<ActionLlmOutput> Forward(IReadOnlyList<int[]> observed, IReadOnlyList<Tensor>? features = null)
    {
        ArgumentNullException.ThrowIfNull(observed);
        if (observed.Count == 0) throw new ArgumentException("ActionLLM: an empty batch.", nameof(observed));
        if (features is not null && features.Count != observed.Count)
            throw new ArgumentException($"ActionLLM: {features.Count} feature matrices for {observed.Count} observations.", nameof(features));
        int b = observed.Count, n = Config.Queries, c = lm.Config.HiddenSize, dv = Config.VisualFeatures, k = Actions.Count;
        var lengths = new int[b];
        for (int r = 0; r < b; r++)
        {
            lengths[r] = observed[r]?.Length ?? throw new ArgumentNullException(nameof(observed));
            if (lengths[r] == 0) throw new ArgumentException("ActionLLM: no observed steps.", nameof(observed));
            CheckFeatures(features?[r], lengths[r]);
        }
        int s = lengths.Max();
        var padding = StepPadding(lengths, s);                                          // (B, S) or null when no row is short
        var text = Tensor.Embedding(labelFeatures, Padded(observed, s), b, s);          // (B, S, C)
        var query = queries.Reshape(1, n, c);                                            // (1, N, C)
        if (b > 1) query = query + Tensor.Zeros(b, n, c);                                // (B, N, C)
        Tensor? vision = null;
        if (features is not null && visual is not null)                                 // feature adapter
            vision = visual.Adapter2.Forward(visual.Adapter1.Forward(PaddedFeatures(features, s, dv)).Silu()); // (B, S, C)
        if (interaction is not null)
        {
            var (t, q, v) = interaction.Forward(Positional(downT.Forward(text)), Positional(downQ.Forward(query)),
                vision is null || visual is null ? null : Positional(visual.Down.Forward(vision)), padding);
            text = text + upT.Forward(t);                                                // residuals around the CMIB
            query = query + upQ.Forward(q);
            if (vision is not null && visual is not null && v is not null) vision = vision + visual.Up.Forward(v);
        }
        var x = Tensor.RmsNorm(Tensor.Concat(vision is null ? [text, query] : [text, vision, query], 1), joinNorm, 1e-6f); // (B, S + N, C) or (B, 2S + N, C)
        x = x + tuneUp.Forward(tuneDown.Forward(x).Dropout(Config.Dropout, Training, rng)); // action tuning
        var (positions, lmPadding) = padding is null ? (null, null) : LmLayout(lengths, s, n, vision is not null);
        var h = lm.Forward(x, positions, lmPadding, computeLogits: false).LastHiddenState; // (B, S [+ S] + N, C)
        var past = pastHead.Forward(h.Narrow(1, 0, s));                                  // (B, S, K)
        var visualPast = vision is null ? null : pastHead.Forward(h.Narrow(1, s, s));    // (B, S, K)
        var hq = h.Narrow(1, vision is null ? s : 2 * s, n);                             // (B, N, C)
        var future = futureHead.Forward(hq);                                             // (B, N, K + 1)
        var durations = durationHead.Forward(hq);                                        // (B, N, 1)
        var outputs = new ActionLlmOutput[b];
        for (int r = 0; r < b; r++)
        {
            int sr = lengths[r];
            outputs[r] = new ActionLlmOutput(past.Narrow(0, r, 1).Narrow(1, 0, sr).Reshape(sr, k), future.Narrow(0, r, 1).Reshape(n, k + 1),
                durations.Narrow(0, r, 1).Reshape(n), visualPast?.Narrow(0, r, 1).Narrow(1, 0, sr).Reshape(sr, k));
        }
        return outputs;
    }

    /// <summary>(B, S): 1 at a row's steps past its own length; null when every row has S steps.</summary>
    static Tensor? StepPadding(int[] lengths, int s)
    {
        if (lengths.All(l => l == s)) return null;
        var mask = new float[lengths.Length * s];
        for (int r = 0; r < lengths.Length; r++) mask.AsSpan(r * s + lengths[r], s - lengths[r]).Fill(1f);
        return Tensor.FromArray(mask, lengths.Length, s);
    }

    /// <summary>The rows' steps, row-major (B * S), a padded step reading class 0 (masked out wherever it is read).</summary>
    static int[] Padded(IReadOnlyList<int[]> observed, int s)
    {
        var ids = new int[observed.Count * s];
        for (int r = 0; r < observed.Count; r++) observed[r].CopyTo(ids, r * s);
        return ids;
    }

    /// <summary>The rows' features (S_b, Dv) stacked into (B, S, Dv), zeros at padded steps.</summary>
    static Tensor PaddedFeatures(IReadOnlyList<Tensor> features, int s, int dv) =>
        Tensor.Stack([.. features.Select(f => f.Shape[0] == s ? f : Tensor.Concat([f, Tensor.Zeros(s - f.Shape[0], dv)], 0))], 0);

    /// <summary>
    /// The LM's rotary positions (B * L) and padding (B, L) for rows laid out [text; visual; queries] with each block S wide:
    /// row b's text at 0 .. S_b - 1, its visual steps at S_b .. 2 S_b - 1 and its queries after its own steps.
    /// </summary>
    static (int[] Positions, Tensor Padding) LmLayout(int[] lengths, int s, int n, bool visual)
    {
        int blocks = visual ? 2 : 1, width = blocks * s + n;
        var positions = new int[lengths.Length * width];
        var padding = new float[lengths.Length * width];
        for (int r = 0; r < lengths.Length; r++)
        {
            int row = r * width, sr = lengths[r];
            for (int block = 0; block < blocks; block++)
                for (int p = 0; p < s; p++)
                {
                    positions[row + block * s + p] = block * sr + Math.Min(p, sr - 1);
                    if (p >= sr) padding[row + block * s + p] = 1f;
                }
            for (int j = 0; j < n; j++) positions[row + blocks * s + j] = blocks * sr + j;
        }
        return (positions, Tensor.FromArray(padding, lengths.Length, width));
    }

    void CheckFeatures(Tensor? features, int steps)
    {
        int dv = Config.VisualFeatures;
        if (dv == 0 && features is not null)
            throw new ArgumentException("ActionLLM: this model is label-only (VisualFeatures = 0) and takes no visual features.", nameof(features));
        if (dv > 0 && features is null)
            throw new ArgumentException($"ActionLLM: this model reads Dv = {dv} visual features per observed step; pass them, ({steps}, {dv}), with the labels.", nameof(features));
        if (features is not null && (features.Shape.Length != 2 || features.Shape[0] != steps || features.Shape[1] != dv))
            throw new ArgumentException($"ActionLLM: visual features of shape ({string.Join(", ", features.Shape)}) where (S, Dv) = ({steps}, {dv}) was expected: " +
                $"one row of Dv = {dv} features per observed step.", nameof(features));
    }

    /// <summary>
    /// Parallel decoding: every query's most likely class until the first query whose most likely class is "None"; the
    /// first query continues the action in progress (it only says for how long, possibly not at all). With
    /// <see cref="Transitions"/>, query q's class is the action a maximizing p_q(a) T(previous, a), the previous being
    /// the action decoded at q - 1, and its probability that product normalized over the actions. The durations, trained
    /// as fractions of the unobserved rest, are normalized into shares that fill it. With <see cref="Durations"/>, the
    /// action in progress takes its residual time from them instead (capped at the rest) and the following actions share
    /// what is left in proportion to their predicted durations. A model that reads visual features takes those of the
    /// observed steps, (S, Dv).
    /// </summary>
    public IReadOnlyList<AnticipatedSegment> Anticipate(int[] observed, ActionInProgress current, Tensor? features = null) =>
        Anticipate([this], observed, current, features);

    /// <summary>
    /// <see cref="Anticipate(int[], ActionInProgress, Tensor?)"/> by an ensemble of models of the same actions and queries
    /// (seeds trained on the same videos): each query's class probabilities and duration averaged over the models, then
    /// decoded as one model's, with the first model's <see cref="Durations"/> and <see cref="Transitions"/>.
    /// </summary>
    public static IReadOnlyList<AnticipatedSegment> Anticipate(IReadOnlyList<ActionLlm> ensemble, int[] observed, ActionInProgress current, Tensor? features = null)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        if (ensemble.Count == 0) throw new ArgumentException("ActionLLM: an empty ensemble.", nameof(ensemble));
        var first = ensemble[0];
        if (ensemble.Any(m => m.Actions.Count != first.Actions.Count || m.Config.Queries != first.Config.Queries))
            throw new ArgumentException("ActionLLM: the ensemble's models differ in actions or queries.", nameof(ensemble));
        first.CheckInProgress(current);
        int classes = first.NoneClass + 1, queries = first.Config.Queries;
        var probabilities = new float[queries * classes];   // (N, K + 1), averaged over the ensemble
        var durations = new float[queries];
        foreach (var model in ensemble)
        {
            ActionLlmOutput output;
            using (GradMode.Disable()) output = model.Forward(observed, features);
            AddQueryProbabilities(output, probabilities);
            System.Numerics.Tensors.TensorPrimitives.Add(durations, output.Durations.ToArray(), durations);
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(probabilities, 1f / ensemble.Count, probabilities);
        System.Numerics.Tensors.TensorPrimitives.Multiply(durations, 1f / ensemble.Count, durations);
        return first.Decode(probabilities, durations, current);
    }

    /// <summary>
    /// <see cref="Anticipate(int[], ActionInProgress, Tensor?)"/> for a batch of label-only observations in one padded
    /// forward (each row computes what it would alone), as the service runs a micro-batch of streams.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<AnticipatedSegment>> Anticipate(IReadOnlyList<int[]> observed, IReadOnlyList<ActionInProgress> current)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(current);
        if (observed.Count != current.Count)
            throw new ArgumentException($"ActionLLM: {observed.Count} observations for {current.Count} actions in progress.", nameof(current));
        if (observed.Count == 0) return [];
        foreach (var c in current) CheckInProgress(c);
        IReadOnlyList<ActionLlmOutput> outputs;
        using (GradMode.Disable()) outputs = Forward(observed);
        int classes = NoneClass + 1, queries = Config.Queries;
        return [.. outputs.Select((output, r) =>
        {
            var probabilities = new float[queries * classes];
            AddQueryProbabilities(output, probabilities);
            return Decode(probabilities, output.Durations.ToArray(), current[r]);
        })];
    }

    void CheckInProgress(ActionInProgress current)
    {
        if (current.Action < 0 || current.Action >= Actions.Count)
            throw new ArgumentOutOfRangeException(nameof(current), $"ActionLLM: the action in progress is class {current.Action}; the model has {Actions.Count} actions.");
        if (!(current.Elapsed >= 0) || !(current.Rest > 0))
            throw new ArgumentOutOfRangeException(nameof(current), $"ActionLLM: the action in progress has run {current.Elapsed} with {current.Rest} of the activity left; expected elapsed >= 0 and rest > 0.");
    }

    /// <summary>probabilities (N, K + 1) += the softmax of each query's future logits.</summary>
    static void AddQueryProbabilities(ActionLlmOutput output, float[] probabilities)
    {
        var logits = output.FutureLogits.ToArray();
        int queries = output.FutureLogits.Shape[0], classes = output.FutureLogits.Shape[1];
        var softmax = new float[classes];
        for (int q = 0; q < queries; q++)
        {
            System.Numerics.Tensors.TensorPrimitives.SoftMax(logits.AsSpan(q * classes, classes), softmax);
            System.Numerics.Tensors.TensorPrimitives.Add(probabilities.AsSpan(q * classes, classes), softmax, probabilities.AsSpan(q * classes, classes));
        }
    }

    /// <summary>Decodes per-query class probabilities (N, K + 1) and durations (N) into segments (see <see cref="Anticipate(int[], ActionInProgress, Tensor?)"/>).</summary>
    IReadOnlyList<AnticipatedSegment> Decode(float[] probabilities, float[] durations, ActionInProgress current)
    {
        int classes = NoneClass + 1;
        var decoded = new List<(int Action, double Duration, double Probability)>();
        for (int q = 0; q < Config.Queries; q++)
        {
            var query = probabilities.AsSpan(q * classes, classes);
            if (q == 0)
            {
                decoded.Add((current.Action, Math.Max(durations[q], 0f), query[current.Action]));
                continue;
            }
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(query) == NoneClass) break;
            var (action, probability) = Transitions is null ? MostLikely(query) : MostLikelyAfter(decoded[^1].Action, query, Transitions);
            decoded.Add((action, Math.Max(durations[q], 1e-3f), probability));
        }
        if (Durations is null)
        {
            double total = Math.Max(decoded.Sum(d => d.Duration), 1e-6);
            return [.. decoded.Select(d => new AnticipatedSegment(d.Action, d.Duration / total, d.Probability))];
        }
        double first = Math.Min(1, Durations.Remaining(current.Action, current.Elapsed) / current.Rest);
        double following = decoded.Skip(1).Sum(d => d.Duration);
        return [new AnticipatedSegment(current.Action, first, decoded[0].Probability),
            .. decoded.Skip(1).Select(d => new AnticipatedSegment(d.Action, d.Duration / following * (1 - first), d.Probability))];
    }

    /// <summary>The most likely action of a query's class probabilities (K actions + "None"; "None" is not the most likely here).</summary>
    (int Action, double Probability) MostLikely(ReadOnlySpan<float> probabilities)
    {
        int action = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probabilities[..NoneClass]);
        return (action, probabilities[action]);
    }

    /// <summary>The action maximizing p(a) T(previous, a), with that product normalized over the actions; the query's own choice when no action can follow.</summary>
    (int Action, double Probability) MostLikelyAfter(int previous, ReadOnlySpan<float> probabilities, ActionTransitions transitions)
    {
        int best = -1;
        double bestScore = 0, total = 0;
        for (int a = 0; a < NoneClass; a++)
        {
            double score = probabilities[a] * transitions.Probability(previous, a);
            total += score;
            if (score > bestScore) (best, bestScore) = (a, score);
        }
        return best < 0 ? MostLikely(probabilities) : (best, bestScore / total);
    }

    /// <summary>x (B, T, D) plus the sinusoidal position encoding of "Attention is all you need".</summary>
    static Tensor Positional(Tensor x) => x + PositionTable(x.Shape[1], x.Shape[2]);

    // Tables by (T, D): observations come in a few dozen lengths, and a table costs T * D powers and sines to compute.
    static readonly System.Collections.Concurrent.ConcurrentDictionary<(int T, int D), Tensor> positionTables = new();

    /// <summary>The (1, T, D) sinusoidal table, computed once per size.</summary>
    static Tensor PositionTable(int t, int d) => positionTables.GetOrAdd((t, d), size =>
    {
        var pe = new float[size.T * size.D];
        for (int p = 0; p < size.T; p++)
            for (int i = 0; i < size.D; i++)
            {
                double angle = p / Math.Pow(10000, 2.0 * (i / 2) / size.D);
                pe[p * size.D + i] = (float)(i % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle));
            }
        return Tensor.FromArray(pe, 1, size.T, size.D);
    });
}
