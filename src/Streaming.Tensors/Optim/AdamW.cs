using System.Numerics.Tensors;

namespace Streaming.Tensors.Optim;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov and Hutter), as torch.optim.AdamW. Parameters whose
/// name matches <c>noDecay</c> (norms, biases, embeddings by convention) get no weight decay.
/// Only trainable parameters get state, so frozen base weights cost no memory here.
/// </summary>
public sealed class AdamW
{
    readonly List<Slot> slots = [];
    int step;

    public float LearningRate { get; set; }
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Eps { get; }
    public float WeightDecay { get; }

    sealed record Slot(string Name, Tensor Parameter, float[] M, float[] V, bool Decay);

    public AdamW(IEnumerable<(string Name, Tensor Value)> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float eps = 1e-8f, float weightDecay = 0.01f, Func<string, bool>? noDecay = null)
    {
        if (learningRate < 0) throw new ArgumentOutOfRangeException(nameof(learningRate), "AdamW: learning rate must be >= 0.");
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), "AdamW: betas must be in [0, 1).");
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        foreach (var (name, p) in parameters)
        {
            if (!p.RequiresGrad) continue;
            if (!p.IsContiguous) throw new ArgumentException($"AdamW: parameter '{name}' is not contiguous.");
            slots.Add(new Slot(name, p, new float[p.Size], new float[p.Size], noDecay is null || !noDecay(name)));
        }
    }

    public int StepCount => step;

    /// <summary>The parameters this optimizer updates (those that require gradients), in the order given.</summary>
    public IEnumerable<(string Name, Tensor Value)> Parameters => slots.Select(s => (s.Name, s.Parameter));

    /// <summary>One update from the accumulated gradients; parameters without a gradient are skipped.</summary>
    public void Step()
    {
        step++;
        float bias1 = 1f - MathF.Pow(Beta1, step);
        float bias2 = 1f - MathF.Pow(Beta2, step);
        float stepSize = LearningRate / bias1;
        float invSqrtBias2 = 1f / MathF.Sqrt(bias2);
        foreach (var s in slots)
        {
            if (s.Parameter.Grad is not { } grad) continue;
            var w = s.Parameter.Span;
            var g = grad.Span;
            if (s.Decay && WeightDecay != 0) TensorPrimitives.Multiply(w, 1f - LearningRate * WeightDecay, w);
            var m = s.M.AsSpan();
            var v = s.V.AsSpan();
            for (int i = 0; i < w.Length; i++)
            {
                float gi = g[i];
                m[i] = Beta1 * m[i] + (1 - Beta1) * gi;
                v[i] = Beta2 * v[i] + (1 - Beta2) * gi * gi;
                w[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) * invSqrtBias2 + Eps);
            }
        }
    }

    /// <summary>The moments (copies) as "name.exp_avg" and "name.exp_avg_sq", torch's names, to resume a run with <see cref="LoadState"/>.</summary>
    public Dictionary<string, Tensor> State()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var s in slots)
        {
            state[s.Name + ".exp_avg"] = Tensor.FromArray((float[])s.M.Clone(), s.Parameter.Shape);
            state[s.Name + ".exp_avg_sq"] = Tensor.FromArray((float[])s.V.Clone(), s.Parameter.Shape);
        }
        return state;
    }

    /// <summary>Restores the moments written by <see cref="State"/> and the step count; every trainable parameter must have both.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, int stepCount)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        var problems = new List<string>();
        foreach (var s in slots)
            foreach (var (suffix, _) in new[] { (".exp_avg", s.M), (".exp_avg_sq", s.V) })
                if (!state.TryGetValue(s.Name + suffix, out var t)) problems.Add($"missing: {s.Name}{suffix}");
                else if (t.Size != s.Parameter.Size) problems.Add($"size mismatch: {s.Name}{suffix} has {t.Size} values, the parameter {s.Parameter.Size}");
        if (problems.Count > 0) throw new InvalidDataException($"AdamW state: {problems.Count} problem(s):\n  " + string.Join("\n  ", problems));
        foreach (var s in slots)
        {
            state[s.Name + ".exp_avg"].ToArray().CopyTo(s.M, 0);
            state[s.Name + ".exp_avg_sq"].ToArray().CopyTo(s.V, 0);
        }
        step = stepCount;
    }

    public void ZeroGrad()
    {
        foreach (var s in slots) s.Parameter.Grad = null;
    }
}
