using System.CommandLine;
using Streaming.Cli.Bench;
using Streaming.Service.Configuration;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming bench ...</c>: measured figures against a peer measured in the same run.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks that print a table of figures, each against a peer (OpenBLAS, PyTorch) measured in the same run. Add --json <path> to write the results file.");
        bench.Subcommands.Add(Engine());
        bench.Subcommands.Add(LanguageModel());
        bench.Subcommands.Add(Anticipator());
        bench.Subcommands.Add(Pipeline());
        bench.Subcommands.Add(Video());
        return bench;
    }

    static Command Video()
    {
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path (format: docs/results-format.md)." };
        var quick = new Option<bool>("--quick") { Description = "Shorter timings and camera runs: a rough table in a few minutes." };
        var only = new Option<VideoBench.Part>("--only") { Description = "Run one part: Decode, Pose or Latency (default: all)." };
        var data = new Option<string>("--data") { Description = "The shared data folder (its videos/ holds the sample clips).", DefaultValueFactory = _ => DataFolder.Default() };
        var streams = new Option<string>("--streams") { Description = "Comma-separated camera counts, one latency run each.", DefaultValueFactory = _ => "1,2,4,8" };
        var fps = new Option<string>("--fps") { Description = "Comma-separated camera frame rates.", DefaultValueFactory = _ => "15,30" };
        var seconds = new Option<double?>("--seconds") { Description = "Seconds of frames per camera and latency run (default 10, 5 with --quick)." };
        var poseThreads = new Option<int>("--pose-threads")
        {
            Description = "The service's pose intra-op threads in the latency runs (Video:IntraOpThreads; 0: ONNX Runtime's one per physical core). " +
                "Default 1: on these 2 shared cores one thread ran pose faster than two (README, bench video).",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("video",
            "Camera path. Frames/s decoding the sample clips at their size and 640 wide (our ffmpeg frame source against the ffmpeg command line) and of JPEG " +
            "encode/decode (against Pillow); MoveNet Lightning and Thunder pose frames/s at batch 1, 4 and 16 on ONNX Runtime (best of 1 and 2 intra-op " +
            "threads, named) against TensorFlow.js with its WASM backend running the same model.json in Node; then S camera streams of 320x240 JPEG at each " +
            "frame rate through the embedded broker and the service with frame input (MoveNet Lightning on every frame, samples/llm-ar-2d): end-to-end " +
            "latency p50/p95/p99 from a frame's capture to its window's prediction at a downstream consumer, stage by stage, frames and windows dropped by " +
            "backpressure, pose batch size, CPU and memory.")
        {
            json, quick, only, data, streams, fps, seconds, poseThreads,
        };
        command.SetAction(parse =>
        {
            var load = new VideoBench.LatencyLoad(
                Numbers(parse.GetValue(streams)!, "--streams").Select(n => n == Math.Floor(n) ? (int)n : throw new ArgumentException($"bench video --streams: {n} is not a whole count.")).ToList(),
                Numbers(parse.GetValue(fps)!, "--fps"),
                parse.GetValue(seconds) ?? (parse.GetValue(quick) ? 5 : 10), new VideoSettings { IntraOpThreads = parse.GetValue(poseThreads) });
            var run = VideoBench.Run(parse.GetValue(data)!, parse.GetValue(quick), parse.GetValue(only), load);
            ResultsTable.Print("streaming bench video", run.Results);
            foreach (var stages in run.Stages.GroupBy(s => s.Fps))
                StageTable.Print($"where the latency goes at {stages.Key:0.##} fps", [.. stages.SelectMany(s => s.Stages)]);
            if (parse.GetValue(json) is { } path) ResultsFile.Write(path, "streaming bench video", run.Results);
            return 0;
        });
        return command;
    }

    /// <summary>Positive numbers from a comma-separated option value.</summary>
    static List<double> Numbers(string value, string option) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n
                : throw new ArgumentException($"bench video {option}: '{s}' is not a positive number.")).ToList();

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

    static Command Anticipator()
    {
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path (format: docs/results-format.md)." };
        var quick = new Option<bool>("--quick") { Description = "Shorter timings (3 s per row instead of 10)." };
        var data = new Option<string>("--data") { Description = "The frame-label dataset whose split 1 gives the observations.", DefaultValueFactory = _ => Path.Combine(DataFolder.Default(), "50salads") };
        var lm = new Option<string>("--lm") { Description = "The frozen base model ActionLLM trains on (a folder with config.json, safetensors, tokenizer.json).", DefaultValueFactory = _ => "samples/lm" };
        var command = new Command("anticipator",
            "ActionLLM training steps (forward, backward through the frozen base model, AdamW) on the observations of 50 Salads split 1 at batch 1, 4 and 16: " +
            "examples/s against PyTorch training the same architecture on the same observations, allocations per example, peak memory.")
        {
            json, quick, data, lm,
        };
        command.SetAction(parse =>
        {
            var results = AnticipatorBench.Run(parse.GetValue(data)!, parse.GetValue(lm)!, parse.GetValue(quick));
            ResultsTable.Print("streaming bench anticipator", results);
            if (parse.GetValue(json) is { } path) ResultsFile.Write(path, "streaming bench anticipator", results);
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
