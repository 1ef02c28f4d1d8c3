namespace Streaming.Tensors;

// The extension point for ops defined outside this assembly (DESIGN.md §2: ops that only one model
// family uses live beside it), as torch.autograd.Function: the caller computes the forward value
// from detached inputs and supplies the backward as a function of the output gradient.
public sealed partial class Tensor
{
    /// <summary>
    /// Records <paramref name="result"/> as the output of op <paramref name="op"/> over <paramref name="inputs"/>.
    /// <paramref name="backward"/> gets the output gradient (contiguous, the result's shape) and returns one
    /// gradient per input, in order: null for an input that gets none, else a tensor of that input's shape.
    /// </summary>
    /// <remarks>
    /// The result must not require gradients (compute it from detached inputs), since it becomes the op's node in the graph. The
    /// backward runs with gradients disabled, so it may compute with any public op.
    /// </remarks>
    public static Tensor CustomOp(string op, Tensor result, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        ArgumentException.ThrowIfNullOrEmpty(op);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(backward);
        if (result.RequiresGrad || Array.Exists(inputs, i => ReferenceEquals(i, result)))
            throw new ArgumentException($"{op}: the result must be a new tensor computed without gradients (from detached inputs), not an input or the output of a recorded '{result.Op}'.", nameof(result));
        return Record(op, result, inputs, g =>
        {
            var grads = backward(g);
            if (grads.Length != inputs.Length)
                throw new InvalidOperationException($"{op} backward: {grads.Length} gradients for {inputs.Length} inputs.");
            for (int i = 0; i < inputs.Length; i++)
                if (grads[i] is { } gi) inputs[i].AccumulateGrad(gi);
        });
    }
}
