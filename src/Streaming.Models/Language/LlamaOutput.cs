using Streaming.Tensors;

namespace Streaming.Models.Language;

/// <summary>
/// What a forward pass returns. <see cref="HiddenStates"/> follows transformers' output_hidden_states:
/// num_hidden_layers + 1 tensors (B, T, C), the input embeddings, the output of every layer but the last,
/// and the last layer's output after the final norm.
/// </summary>
public sealed record LlamaOutput(Tensor? Logits, IReadOnlyList<Tensor> HiddenStates)
{
    /// <summary>The final normed hidden state (B, T, C), the input of the LM head.</summary>
    public Tensor LastHiddenState => HiddenStates[^1];
}
