using System.Diagnostics;
using System.Text.Json;
using Streaming.Cli.Peers;
using Streaming.Models.Anticipation;
using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.Tokenization;

namespace Streaming.Cli.Bench;

/// <summary>
/// ActionLLM training steps (forward, loss, backward through the frozen base model, gradient clipping, AdamW) on the
/// observations `train anticipator` draws from a frame-label dataset's split 1 (4 per training video, observed
/// fractions in [0.1, 0.5]), at batch 1, 4 and 16 (padded to the longest, one forward), against PyTorch
/// (Peers/actionllm_peer.py) training the same architecture on the same observations in the same batches.
/// Examples per second, managed allocations per example, peak memory.
/// </summary>
public static class AnticipatorBench
{
    public static IReadOnlyList<BenchResult> Run(string data, string lmFolder, bool quick)
    {
        double seconds = quick ? 3 : 10;
        var dataset = FrameLabelDataset.Open(data);
        var (train, _) = dataset.Split(1);
        var tokenizerPath = Path.Combine(lmFolder, "tokenizer.json");
        if (!File.Exists(tokenizerPath))
            throw new FileNotFoundException($"bench anticipator: no base model at {Path.GetFullPath(lmFolder)} (config.json, safetensors, tokenizer.json); pass --lm.", tokenizerPath);
        var lm = HfCheckpoint.Load(lmFolder);
        var config = new ActionLlmConfig();
        var options = new ActionLlmTrainingOptions();
        var sampling = new Random(7);
        var examples = train.SelectMany(v => Enumerable.Range(0, options.ObservationsPerVideo).Select(_ => ActionLlmTraining.Example(v.Labels,
            options.MinObserved + sampling.NextDouble() * (options.MaxObserved - options.MinObserved), options.StepsPerVideo, config.Queries, dataset.Actions.Count)))
            .ToArray();
        var spec = Path.Combine(Path.GetTempPath(), $"streaming-anticipator-bench-{Environment.ProcessId}.json");
        File.WriteAllText(spec, JsonSerializer.Serialize(new
        {
            actions = dataset.Actions.Count, queries = config.Queries, width = config.InteractionWidth, heads = config.InteractionHeads,
            tuning = config.TuningWidth, dropout = config.Dropout, learning_rate = options.LearningRate, weight_decay = options.WeightDecay,
            lm = new
            {
                hidden = lm.Config.HiddenSize, layers = lm.Config.NumHiddenLayers, heads = lm.Config.NumAttentionHeads,
                kv_heads = lm.Config.NumKeyValueHeads, head_dim = lm.Config.HeadDim, ffn = lm.Config.IntermediateSize, eps = lm.Config.RmsNormEps,
                rope_theta = lm.Config.RopeTheta,
            },
            examples = examples.Select(e => new { observed = e.Observed, classes = e.FutureClasses, durations = e.FutureDurations, segments = e.FutureSegments }),
        }));
        var results = new List<BenchResult>();
        string shape = $"{examples.Length} observations of 50salads split 1, {examples.Min(e => e.Observed.Length)}-{examples.Max(e => e.Observed.Length)} steps + {config.Queries} queries, " +
            $"lm d{lm.Config.HiddenSize} l{lm.Config.NumHiddenLayers}";
        try
        {
            foreach (int batch in new[] { 1, 4, 16 })
            {
                var model = new ActionLlm(lm, Tokenizer.Load(tokenizerPath), dataset.Actions, config, new Random(1));
                var batchOptions = options with { BatchSize = batch };
                var optimizer = ActionLlmTraining.Optimizer(model, batchOptions);
                var batches = examples.Chunk(batch).ToArray();
                var rng = new Random(3);
                int next = 0;
                model.Train();
                int Step()
                {
                    var chunk = batches[next++ % batches.Length];
                    ActionLlmTraining.Step(model, optimizer, chunk, null, batchOptions, rng);
                    return chunk.Length;
                }
                double rate = Timing.MedianRate(seconds, Step);
                long before = GC.GetTotalAllocatedBytes(precise: true);
                int counted = 0;
                for (int i = 0; i < Math.Min(batches.Length, 40); i++) counted += Step();
                double allocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)counted;
                var peer = PythonPeer.RunFastest("actionllm_peer.py", PeerThreading.All, ["examples_per_s", "peak_rss_mb"], m => m == "peak_rss_mb",
                    spec, $"{batch}", $"{Environment.ProcessorCount}", $"{seconds}");
                var peerRate = peer["examples_per_s"];
                results.Add(new BenchResult($"actionllm training b{batch} {shape}", "examples/s", rate, peerRate.Peer("torch"), peerRate.Value));
                results.Add(new BenchResult($"actionllm training allocations b{batch}", "bytes/example", allocated));
                if (batch == 16)
                    results.Add(new BenchResult("actionllm training peak memory", "MB", Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
                        peer["peak_rss_mb"].Peer("torch"), peer["peak_rss_mb"].Value));
            }
        }
        finally
        {
            File.Delete(spec);
        }
        return results;
    }
}
