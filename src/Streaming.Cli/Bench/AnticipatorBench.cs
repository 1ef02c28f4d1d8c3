using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Streaming.Cli.Peers;
using Streaming.Models.Anticipation;
using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.Tokenization;

namespace Streaming.Cli.Bench;

/// <summary>
/// ActionLLM training steps (forward, loss, backward through the frozen base model, gradient clipping, AdamW) on one
/// epoch of the batches `train anticipator` draws from a frame-label dataset's split 1 (4 observations per training
/// video, observed fractions in [0.1, 0.5]; <see cref="ActionLlmTraining.EpochBatches"/>), at batch 1, 4 and 16 (batched
/// by length, padded to the longest, one forward), against PyTorch (Peers/actionllm_peer.py) training the same
/// architecture on the same batches.
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
        var tokenizer = Tokenizer.Load(tokenizerPath);
        var source = $"{Path.GetFileName(Path.GetFullPath(data).TrimEnd(Path.DirectorySeparatorChar))} split 1";
        var config = new ActionLlmConfig();
        var options = new ActionLlmTrainingOptions();
        var spec = Path.Combine(Path.GetTempPath(), $"streaming-anticipator-bench-{Environment.ProcessId}.json");
        var results = new List<BenchResult>();
        try
        {
            foreach (int batch in new[] { 1, 4, 16 })
            {
                var batchOptions = options with { BatchSize = batch };
                var batches = ActionLlmTraining.EpochBatches(train, batchOptions, config.Queries, dataset.Actions.Count, new Random(7)).Select(b => b.Examples).ToArray();
                var examples = batches.SelectMany(b => b).ToArray();
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
                    batches = batches.Select(b => b.Select(e => new { observed = e.Observed, classes = e.FutureClasses, durations = e.FutureDurations, segments = e.FutureSegments })),
                }));
                var model = new ActionLlm(lm, tokenizer, dataset.Actions, config, new Random(1));
                var optimizer = ActionLlmTraining.Optimizer(model, batchOptions);
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
                    spec, $"{Environment.ProcessorCount}", $"{seconds}");
                var peerRate = peer["examples_per_s"];
                // Padded positions over real ones: what batching by length leaves.
                double padding = batches.Sum(b => (double)b.Length * b.Max(e => e.Observed.Length)) / examples.Sum(e => e.Observed.Length) - 1;
                var shape = string.Create(CultureInfo.InvariantCulture, $"{examples.Length} observations of {source}, {examples.Min(e => e.Observed.Length)}-" +
                    $"{examples.Max(e => e.Observed.Length)} steps + {config.Queries} queries, lm d{lm.Config.HiddenSize} l{lm.Config.NumHiddenLayers}, {padding * 100:0}% padding");
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
