namespace Streaming.Tensors.Nn;

/// <summary>
/// A node in a model's parameter tree. Parameters and submodules are registered by name, so a model's
/// parameters have dotted paths ("layers.0.self_attn.q_proj.weight") that match checkpoint keys,
/// can be frozen by name, and switch between train and eval mode together.
/// </summary>
public abstract class Module
{
    readonly List<(string Name, Tensor Value)> parameters = [];
    readonly List<(string Name, Module Value)> children = [];

    /// <summary>Training mode: dropout active. Set for the whole tree by <see cref="Train"/> and <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    protected Tensor Parameter(string name, Tensor value)
    {
        CheckName(name);
        value.RequiresGrad = true;
        parameters.Add((name, value));
        return value;
    }

    protected T Child<T>(string name, T module) where T : Module
    {
        CheckName(name);
        children.Add((name, module));
        return module;
    }

    void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"module: parameter or child name '{name}' must be non-empty and contain no '.'.", nameof(name));
        if (parameters.Any(p => p.Name == name) || children.Any(c => c.Name == name))
            throw new ArgumentException($"module: name '{name}' registered twice.", nameof(name));
    }

    /// <summary>Every parameter with its dotted path, depth first in registration order.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedParameters(string prefix = "")
    {
        foreach (var (name, value) in parameters) yield return (prefix + name, value);
        foreach (var (name, child) in children)
            foreach (var p in child.NamedParameters(prefix + name + "."))
                yield return p;
    }

    /// <summary>The parameters that train (not frozen).</summary>
    public IEnumerable<(string Name, Tensor Value)> TrainableParameters() => NamedParameters().Where(p => p.Value.RequiresGrad);

    public long ParameterCount() => NamedParameters().Sum(p => (long)p.Value.Size);

    /// <summary>Freezes the parameters whose path satisfies <paramref name="match"/> (all when null): no gradients, no optimizer state.</summary>
    public void Freeze(Func<string, bool>? match = null)
    {
        foreach (var (name, value) in NamedParameters())
            if (match is null || match(name)) { value.RequiresGrad = false; value.Grad = null; }
    }

    public void Unfreeze(Func<string, bool>? match = null)
    {
        foreach (var (name, value) in NamedParameters())
            if (match is null || match(name)) value.RequiresGrad = true;
    }

    public void Train() => SetTraining(true);

    public void Eval() => SetTraining(false);

    void SetTraining(bool training)
    {
        Training = training;
        foreach (var (_, child) in children) child.SetTraining(training);
    }

    public void ZeroGrad()
    {
        foreach (var (_, value) in NamedParameters()) value.Grad = null;
    }

    /// <summary>Copies values from a name -> tensor map (a checkpoint); reports every missing, unexpected or mis-shaped tensor at once.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var problems = new List<string>();
        var own = NamedParameters().ToList();
        foreach (var (name, value) in own)
        {
            if (!state.TryGetValue(name, out var source)) { if (strict) problems.Add($"missing: {name} {Tensor.Format(value.Shape)}"); continue; }
            if (!Tensor.SameShape(source.Shape, value.Shape)) { problems.Add($"shape mismatch: {name} is {Tensor.Format(value.Shape)} in the model, {Tensor.Format(source.Shape)} in the checkpoint"); continue; }
        }
        if (strict)
            foreach (var name in state.Keys.Except(own.Select(p => p.Name)).Order(StringComparer.Ordinal))
                problems.Add($"unexpected: {name} {Tensor.Format(state[name].Shape)}");
        if (problems.Count > 0)
            throw new InvalidDataException($"load state: {problems.Count} problem(s):\n  " + string.Join("\n  ", problems));
        foreach (var (name, value) in own)
            if (state.TryGetValue(name, out var source))
                Strided.CopyTo(source, value.Span);
    }

    /// <summary>The parameters as a name -> tensor map (shared storage, not copies).</summary>
    public Dictionary<string, Tensor> State() => NamedParameters().ToDictionary(p => p.Name, p => p.Value);
}
