using System.Text.Json.Nodes;
using Streaming.Tensors.Tests.Reference;

namespace Streaming.Models.Tests.Reference;

/// <summary>A request to the PyTorch reference: ids (B, T), and optional positions, padding (1 = pad) and targets (-100 ignored).</summary>
public sealed record ReferenceRequest(int[][] Ids, int[][]? Positions = null, int[][]? PaddingMask = null, int[][]? Targets = null);

/// <summary>What the reference computed, in float64 rounded to float: logits (B*T*V), hidden states, loss and adapter gradients by name.</summary>
public sealed record ReferenceOutput(float[] Logits, float[][] HiddenStates, double? Loss, IReadOnlyDictionary<string, float[]> Grads);

/// <summary>Drives Reference/llama_ref.py: makes tiny random Hugging Face checkpoints and runs the torch model on them.</summary>
public static class LlamaReference
{
    const string Script = "llama_ref.py";

    /// <summary>Writes a tiny random checkpoint into <paramref name="directory"/>; options as llama_ref.py make takes them.</summary>
    public static void Make(string directory, params string[] options) => PythonReference.Run(Script, ["make", directory, .. options]);

    public static ReferenceOutput Forward(string directory, ReferenceRequest request, string? lora = null, string? prefix = null, string? softPrompt = null)
    {
        var args = new List<string> { "forward", directory };
        if (lora is not null) args.AddRange(["--lora", lora]);
        if (prefix is not null) args.AddRange(["--prefix", prefix]);
        if (softPrompt is not null) args.AddRange(["--soft-prompt", softPrompt]);
        var json = new JsonObject
        {
            ["ids"] = Rows(request.Ids),
            ["positions"] = request.Positions is null ? null : Rows(request.Positions),
            ["padding_mask"] = request.PaddingMask is null ? null : Rows(request.PaddingMask),
            ["targets"] = request.Targets is null ? null : Rows(request.Targets),
        };
        var result = PythonReference.RunJson(Script, args, json.ToJsonString());
        var grads = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (result["grads"] is JsonObject g)
            foreach (var (name, values) in g) grads[name] = Floats(values!);
        return new ReferenceOutput(
            Floats(result["logits"]!),
            [.. result["hidden_states"]!.AsArray().Select(h => Floats(h!))],
            result["loss"]?.GetValue<double>(),
            grads);
    }

    static JsonArray Rows(int[][] rows) => new([.. rows.Select(r => (JsonNode)new JsonArray([.. r.Select(v => (JsonNode)v)]))]);

    static float[] Floats(JsonNode node) => [.. node.AsArray().Select(v => (float)v!.GetValue<double>())];
}
