using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Language;

/// <summary>
/// A module that only names one level of the parameter tree ("model", "layers", "self_attn", "q_proj"),
/// so that parameter paths equal Hugging Face checkpoint keys and loading is a lookup.
/// </summary>
internal sealed class NamedScope : Module
{
    readonly Dictionary<string, NamedScope> scopes = new(StringComparer.Ordinal);

    /// <summary>The sub-scope <paramref name="name"/>, created on first use.</summary>
    public NamedScope Scope(string name)
    {
        if (!scopes.TryGetValue(name, out var scope)) scopes.Add(name, scope = Child(name, new NamedScope()));
        return scope;
    }

    public T Add<T>(string name, T module) where T : Module => Child(name, module);

    public Tensor Add(string name, Tensor value) => Parameter(name, value);
}
