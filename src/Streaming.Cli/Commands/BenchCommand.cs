using System.CommandLine;
using Streaming.Cli.Bench;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming bench ...</c>: measured figures against a peer measured in the same run.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks that print a table of figures, each against a peer (OpenBLAS, PyTorch) measured in the same run. Add --json <path> to write the results file.");
        bench.Subcommands.Add(Engine());
        bench.Subcommands.Add(LanguageModel());
        bench.Subcommands.Add(Pipeline());
        bench.Subcommands.Add(Video());
        return bench;
    }

    static Command Video()
    {
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path (format: docs/results-format.md)." };
        var quick = new Option<bool>("--quick") { Description = "Shorter timings and runs: a rough table in a few minutes." };
        var only = new Option<VideoBench.Part>("--only") { Description = "Run one part: Decode, Pose or Latency (default: all)." };
        var data = new Option<string>("--data") { Description = "The shared data folder (its videos/ holds the sample clips).", DefaultValueFactory = _ => DataFolder.Default() };
        var command = new Command("video",
            "Camera path: frames/s decoding the sample clips (our ffmpeg frame source against the ffmpeg command line) and JPEG encode/decode (against Pillow); " +
            "MoveNet Lightning and Thunder pose frames/s at batch 1, 4 and 16 on ONNX Runtime (best of 1 and 2 intra-op threads) against TensorFlow.js " +
            "with its WASM backend running the same model.json in Node.")
        {
            json, quick, only, data,
        };
        command.SetAction(parse =>
        {
            var run = VideoBench.Run(parse.GetValue(data)!, parse.GetValue(quick), parse.GetValue(only));
            ResultsTable.Print("streaming bench video", run.Results);
            if (run.Stages.Count > 0) StageTable.Print("where the latency goes", run.Stages);
            if (parse.GetValue(json) is { } path) ResultsFile.Write(path, "streaming bench video", run.Results);
            return 0;
        });
        return command;
    }

    static Command Pipeline()
    {
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path (format: docs/results-format.md)." };
        var streams = new Option<string>("--streams") { Description = "Comma-separated stream counts, one run each.", DefaultValueFactory = _ => "1,8,32,64,128" };
        var seconds = new Option<double>("--seconds") { Description = "Seconds of 30 fps skeletons per stream and run.", DefaultValueFactory = _ => 10 };
        var data = new Option<string>("--data") { Description = "The shared data folder (UTKinect takes are the streams' content).", DefaultValueFactory = _ => DataFolder.Default() };
        var model = new Option<string>("--model") { Description = "Skeleton model folder, as `streaming run --model` takes (baseline, MLP or LLM-AR).", DefaultValueFactory = _ => new Service.Configuration.PipelineSettings().Model };
        var command = new Command("pipeline",
            "S concurrent 30 fps skeleton streams through the embedded broker and the service with the model of --model, for each S: sustained frames/s, " +
            "end-to-end latency p50/p95/p99 (capture of a window's last frame -> prediction at a downstream consumer) and where it goes, stage by stage " +
            "(ingest, window, batch, model, publish, downstream), windows dropped, mean batch size, CPU and memory. The service runs with its defaults: " +
            "no micro-batch wait (Pipeline:MaxWaitMs 0), producers lingering 1 ms (linger.ms), consumers waiting at most 2 ms for a fetch on the embedded broker " +
            "(fetch.wait.max.ms; the README's bench pipeline section gives the trade-offs).")
        {
            json, streams, seconds, data, model,
        };
        command.SetAction(parse =>
        {
            var counts = parse.GetValue(streams)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(s => int.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n
                    : throw new ArgumentException($"bench pipeline --streams: '{s}' is not a positive count.")).ToList();
            var run = PipelineBench.Run(parse.GetValue(data)!, parse.GetValue(model)!, counts, parse.GetValue(seconds));
            ResultsTable.Print("streaming bench pipeline", run.Results);
            StageTable.Print("where the latency goes", run.Stages);
            if (parse.GetValue(json) is { } path) ResultsFile.Write(path, "streaming bench pipeline", run.Results);
            return 0;
        });
        return command;
    }

    static Command LanguageModel()
    {
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path (format: docs/results-format.md)." };
        var quick = new Option<bool>("--quick") { Description = "Fewer repetitions." };
        var command = new Command("lm", "Decoder prefill (d=512, 8 layers, 8 heads / 2 kv heads, ffn 1376, vocab 32000, 256 tokens) at batch 1 and 8: tokens/s against PyTorch, allocations, peak memory.")
        {
            json, quick,
        };
        command.SetAction(parse =>
        {
            var results = LmBench.Run(parse.GetValue(quick));
            ResultsTable.Print("streaming bench lm", results);
            if (parse.GetValue(json) is { } path) ResultsFile.Write(path, "streaming bench lm", results);
            return 0;
        });
        return command;
    }

    static Command Engine()
    {
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path (format: docs/results-format.md)." };
        var quick = new Option<bool>("--quick") { Description = "Fewer repetitions: a rough table in seconds rather than minutes." };
        var only = new Option<EngineBench.Part>("--only") { Description = "Run one part: Gemm or Block (default: both)." };
        var command = new Command("engine", "Tensor engine: sgemm GFLOP/s (ours, OpenBLAS, PyTorch) at 1 and 2 threads; one LLaMA-style block forward and forward+backward against PyTorch; allocations and peak memory.")
        {
            json, quick, only,
        };
        command.SetAction(parse =>
        {
            var results = EngineBench.Run(parse.GetValue(quick), parse.GetValue(only));
            ResultsTable.Print("streaming bench engine", results);
            if (parse.GetValue(json) is { } path) ResultsFile.Write(path, "streaming bench engine", results);
            return 0;
        });
        return command;
    }
}
