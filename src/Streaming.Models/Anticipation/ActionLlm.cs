using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization;
using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Anticipation;

// ActionLLM (DESIGN.md §1.1): long-term action anticipation with a frozen decoder LM.
// Observed steps enter as text features (mean LM token embedding of each step's label), N learnable action
// queries follow; a Cross-Modality Interaction Block mixes the streams in a small width, they are projected
// back with residuals, concatenated [T; Q], normed, squeezed through the "action tuning" bottleneck, and run
// through the frozen LM. Heads: past classifier at the text positions, and per query the next segment's class
// (K actions + "None", which ends the future) and duration (a fraction of the video).
// Shapes: S observed steps, N queries, C LM width, D CMIB width, K actions.

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

    /// <summary>x (1, Tx, D) attends y (1, Ty, D) -> (1, Tx, D).</summary>
    public Tensor Forward(Tensor x, Tensor y)
    {
        int tx = x.Shape[1], ty = y.Shape[1], d = x.Shape[2], hd = d / heads;
        var qh = q.Forward(x).Reshape(1, tx, heads, hd).Transpose(1, 2);     // (1, H, Tx, hd)
        var kh = k.Forward(y).Reshape(1, ty, heads, hd).Transpose(1, 2);     // (1, H, Ty, hd)
        var vh = v.Forward(y).Reshape(1, ty, heads, hd).Transpose(1, 2);
        var att = Tensor.ScaledDotProductAttention(qh, kh, vh);              // (1, H, Tx, hd)
        return o.Forward(att.Transpose(1, 2).Reshape(1, tx, d));
    }
}

/// <summary>
/// The Cross-Modality Interaction Block for two streams, text T and queries Q (visual features are absent for
/// label-only data): O_T = MHSA(T) + MHA(T, Q), O_Q = MHSA(Q) + MHA(Q, T); then per stream x = norm(x + O),
/// x = norm(x + FFN(x)).
/// </summary>
public sealed class InteractionBlock : Module
{
    readonly CrossAttention tt, tq, qq, qt;
    readonly Linear ffnT1, ffnT2, ffnQ1, ffnQ2;
    readonly Tensor normT1, normT2, normQ1, normQ2;

    public InteractionBlock(int width, int heads, Random rng)
    {
        (tt, tq) = (Child("t_self", new CrossAttention(width, heads, rng)), Child("t_q", new CrossAttention(width, heads, rng)));
        (qq, qt) = (Child("q_self", new CrossAttention(width, heads, rng)), Child("q_t", new CrossAttention(width, heads, rng)));
        (ffnT1, ffnT2) = (Child("t_ffn1", new Linear(width, 4 * width, true, rng)), Child("t_ffn2", new Linear(4 * width, width, true, rng)));
        (ffnQ1, ffnQ2) = (Child("q_ffn1", new Linear(width, 4 * width, true, rng)), Child("q_ffn2", new Linear(4 * width, width, true, rng)));
        (normT1, normT2) = (Parameter("t_norm1", Tensor.Ones(width)), Parameter("t_norm2", Tensor.Ones(width)));
        (normQ1, normQ2) = (Parameter("q_norm1", Tensor.Ones(width)), Parameter("q_norm2", Tensor.Ones(width)));
    }

    public (Tensor T, Tensor Q) Forward(Tensor t, Tensor q)
    {
        var ot = tt.Forward(t, t) + tq.Forward(t, q);
        var oq = qq.Forward(q, q) + qt.Forward(q, t);
        t = Tensor.RmsNorm(t + ot, normT1, 1e-6f);
        q = Tensor.RmsNorm(q + oq, normQ1, 1e-6f);
        t = Tensor.RmsNorm(t + ffnT2.Forward(ffnT1.Forward(t).Silu()), normT2, 1e-6f);
        q = Tensor.RmsNorm(q + ffnQ2.Forward(ffnQ1.Forward(q).Silu()), normQ2, 1e-6f);
        return (t, q);
    }
}

/// <summary>A decoded future segment: its action, its share of the unobserved rest (shares sum to 1), and the softmax probability of the action at its query.</summary>
public readonly record struct AnticipatedSegment(int Action, double Share, double Probability);

/// <summary>What ActionLLM predicts for one observation.</summary>
public sealed record ActionLlmOutput(Tensor PastLogits, Tensor FutureLogits, Tensor Durations); // (S, K), (N, K+1), (N)

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
    readonly Random rng;

    public ActionLlmConfig Config { get; }
    public IReadOnlyList<string> Actions { get; }

    /// <summary>The class index of "None", the end of the future.</summary>
    public int NoneClass => Actions.Count;

    /// <summary>The most observed steps one forward takes: the LM's positions less the queries that follow them.</summary>
    public int MaxObservedSteps => lm.Config.MaxPositionEmbeddings - Config.Queries;

    public ActionLlm(LlamaModel lm, Tokenizer tokenizer, IReadOnlyList<string> actions, ActionLlmConfig config, Random rng)
    {
        (this.lm, Config, Actions, this.rng) = (lm, config, actions, rng);
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
        if (config.UseInteractionBlock) interaction = Child("cmib", new InteractionBlock(d, config.InteractionHeads, rng));
        joinNorm = Parameter("join_norm", Tensor.Ones(c));
        (tuneDown, tuneUp) = (Child("tune_down", new Linear(c, config.TuningWidth, true, rng)), Child("tune_up", new Linear(config.TuningWidth, c, true, rng)));
        pastHead = Child("past_head", new Linear(c, k, true, rng));
        futureHead = Child("future_head", new Linear(c, k + 1, true, rng));
        durationHead = Child("duration_head", new Linear(c, 1, true, rng));
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

    /// <summary>Observed steps (their action indices, S) -> past logits, future logits and durations.</summary>
    public ActionLlmOutput Forward(int[] observed)
    {
        int s = observed.Length, n = Config.Queries, c = lm.Config.HiddenSize;
        var text = Tensor.Embedding(labelFeatures, observed, 1, s);                     // (1, S, C)
        var query = queries.Reshape(1, n, c);                                            // (1, N, C)
        if (interaction is not null)
        {
            var (t, q) = interaction.Forward(Positional(downT.Forward(text)), Positional(downQ.Forward(query)));
            text = text + upT.Forward(t);                                                // residuals around the CMIB
            query = query + upQ.Forward(q);
        }
        var x = Tensor.RmsNorm(Tensor.Concat([text, query], 1), joinNorm, 1e-6f);         // (1, S + N, C)
        x = x + tuneUp.Forward(tuneDown.Forward(x).Dropout(Config.Dropout, Training, rng)); // action tuning
        var h = lm.Forward(x, computeLogits: false).LastHiddenState;                     // (1, S + N, C)
        var past = pastHead.Forward(h.Narrow(1, 0, s)).Reshape(s, Actions.Count);        // (S, K)
        var hq = h.Narrow(1, s, n);                                                      // (1, N, C)
        return new ActionLlmOutput(past, futureHead.Forward(hq).Reshape(n, Actions.Count + 1), durationHead.Forward(hq).Reshape(n));
    }

    /// <summary>
    /// Parallel decoding: every query's most likely class until the first "None"; the first query continues
    /// <paramref name="current"/>, the action in progress (it only says for how long, possibly not at all). The
    /// durations, trained as fractions of the unobserved rest, are normalized into shares that fill it.
    /// </summary>
    public IReadOnlyList<AnticipatedSegment> Anticipate(int[] observed, int current)
    {
        ActionLlmOutput output;
        using (GradMode.Disable()) output = Forward(observed);
        var logits = output.FutureLogits.ToArray();
        var durations = output.Durations.ToArray();
        int classes = NoneClass + 1;
        var probabilities = new float[classes];
        var decoded = new List<(int Action, double Duration, double Probability)>();
        for (int q = 0; q < Config.Queries; q++)
        {
            System.Numerics.Tensors.TensorPrimitives.SoftMax(logits.AsSpan(q * classes, classes), probabilities);
            int action = q == 0 ? current : System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probabilities);
            if (action == NoneClass) break;
            decoded.Add((action, Math.Max(durations[q], q == 0 ? 0f : 1e-3f), probabilities[action]));
        }
        double total = Math.Max(decoded.Sum(d => d.Duration), 1e-6);
        return [.. decoded.Select(d => new AnticipatedSegment(d.Action, d.Duration / total, d.Probability))];
    }

    /// <summary>x (1, T, D) plus the sinusoidal position encoding of "Attention is all you need".</summary>
    static Tensor Positional(Tensor x)
    {
        int t = x.Shape[1], d = x.Shape[2];
        var pe = new float[t * d];
        for (int p = 0; p < t; p++)
            for (int i = 0; i < d; i++)
            {
                double angle = p / Math.Pow(10000, 2.0 * (i / 2) / d);
                pe[p * d + i] = (float)(i % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle));
            }
        return x + Tensor.FromArray(pe, 1, t, d);
    }
}
