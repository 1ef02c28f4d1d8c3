using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Streaming.Tensors.Tests.Reference;

/// <summary>One input of an oracle case: values, shape, and whether its gradient is checked.</summary>
public sealed record OracleInput(float[] Data, int[] Shape, bool Grad = true, string DType = "float")
{
    public static OracleInput Long(int[] values, params int[] shape) => new(values.Select(v => (float)v).ToArray(), shape, false, "long");
}

/// <summary>PyTorch's output and input gradients for one case (null gradient: input not differentiated).</summary>
public sealed record OracleResult(float[] Output, int[] OutputShape, float[]?[] Grads);

/// <summary>
/// Runs cases through <c>torch_oracle.py</c> under Debian's system Python (python3-torch 1.13), batched
/// so PyTorch is imported once per call. An expression names the inputs x0, x1, ...
/// </summary>
public static class TorchOracle
{
    public sealed record Case(string Expr, OracleInput[] Inputs, float[]? GradOut = null, bool Float32 = false, int Seed = 0);

    public static OracleResult[] Run(IReadOnlyList<Case> cases)
    {
        var json = new JsonArray();
        foreach (var c in cases)
        {
            var inputs = new JsonArray();
            foreach (var i in c.Inputs)
            {
                var data = new JsonArray();
                foreach (var v in i.Data) data.Add(i.DType == "float" ? Number(v) : JsonValue.Create((long)v));
                inputs.Add(new JsonObject { ["data"] = data, ["shape"] = new JsonArray(i.Shape.Select(s => (JsonNode)s).ToArray()), ["grad"] = i.Grad && i.DType == "float", ["dtype"] = i.DType });
            }
            var obj = new JsonObject { ["expr"] = c.Expr, ["inputs"] = inputs, ["float32"] = c.Float32, ["seed"] = c.Seed };
            if (c.GradOut is not null) obj["grad_out"] = new JsonArray(c.GradOut.Select(Number).ToArray());
            json.Add(obj);
        }
        var stdout = PythonReference.Run("torch_oracle.py", [], json.ToJsonString());
        var results = JsonNode.Parse(stdout)!.AsArray();
        var parsed = new OracleResult[cases.Count];
        for (int i = 0; i < cases.Count; i++)
        {
            var r = results[i]!;
            if (r["error"] is { } error) throw new InvalidOperationException($"torch oracle failed on `{cases[i].Expr}`:\n{error}");
            var grads = r["grads"] is JsonArray ga ? ga.Select(g => g is null ? null : Floats(g["data"]!)).ToArray() : new float[]?[cases[i].Inputs.Length];
            parsed[i] = new OracleResult(Floats(r["output"]!["data"]!), r["output"]!["shape"]!.AsArray().Select(s => (int)s!).ToArray(), grads);
        }
        return parsed;
    }

    public static OracleResult Run(Case c) => Run([c])[0];

    // JSON has no NaN or Infinity: both sides write non-finite values as the strings "NaN", "Infinity", "-Infinity".
    static float[] Floats(JsonNode node) => node.AsArray().Select(v =>
        v!.GetValueKind() == JsonValueKind.String ? float.Parse(v.GetValue<string>(), CultureInfo.InvariantCulture) : (float)(double)v).ToArray();

    static JsonNode Number(float v) => float.IsFinite(v) ? JsonValue.Create((double)v) : JsonValue.Create(v.ToString(CultureInfo.InvariantCulture));

    public static string Format(float v) => v.ToString("R", CultureInfo.InvariantCulture);
}
