using Streaming.Models.Language;
using Streaming.Tensors;

namespace Streaming.Models.Tests.Reference;

/// <summary>Runs the C# model on a <see cref="ReferenceRequest"/> and compares with the torch reference.</summary>
public static class ModelRun
{
    public const float Tolerance = 1e-4f;

    public static LlamaOutput Forward(LlamaModel model, ReferenceRequest request)
    {
        int B = request.Ids.Length;
        var ids = request.Ids.SelectMany(r => r).ToArray();
        var positions = request.Positions?.SelectMany(r => r).ToArray();
        var padding = request.PaddingMask is null ? null : Tensor.FromArray([.. request.PaddingMask.SelectMany(r => r).Select(m => (float)m)], B, request.Ids[0].Length);
        return model.Forward(ids, B, positions, padding);
    }

    /// <summary>Mean cross-entropy over targets that are not -100, as torch's cross_entropy(ignore_index=-100).</summary>
    public static Tensor Loss(Tensor logits, int[][] targets)
    {
        int V = logits.Shape[^1];
        return Tensor.CrossEntropy(logits.Reshape(-1, V), [.. targets.SelectMany(r => r)]);
    }

    /// <summary>Logits and every hidden state within <see cref="Tolerance"/>, skipping padded positions (torch attends garbage there).</summary>
    public static void AssertMatches(ReferenceOutput expected, LlamaOutput actual, int[][]? paddingMask = null)
    {
        var padded = paddingMask?.SelectMany(r => r).Select(m => m != 0).ToArray();
        Func<int, bool>? include(int width) => padded is null ? null : i => !padded[i / width];
        int V = actual.Logits!.Shape[^1];
        Close.Assert(expected.Logits, actual.Logits.ToArray(), Tolerance, "logits", include(V));
        Assert.Equal(expected.HiddenStates.Length, actual.HiddenStates.Count);
        for (int l = 0; l < expected.HiddenStates.Length; l++)
        {
            var h = actual.HiddenStates[l];
            Close.Assert(expected.HiddenStates[l], h.ToArray(), Tolerance, $"hidden state {l}", include(h.Shape[^1]));
        }
    }
}
