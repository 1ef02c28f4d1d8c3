using System.Diagnostics;
using Streaming.Cli.Peers;
using Streaming.Models.Language;

namespace Streaming.Cli.Bench;

/// <summary>
/// Prefill of a LLaMA-style decoder (d=512, 8 layers, 8 heads with 2 key/value heads, ffn 1376, vocab 32000) over
/// 256-token prompts at batch 1 and 8: ours on the allocation-free inference path, PyTorch (Peers/lm_peer.py) under
/// no_grad, both ending with the last position's logits. Tokens per second, allocations per prefill, peak memory.
/// Then decode with a key/value cache at batch 1, 8 and 64: after a 32-token prompt, 32 new tokens per row one at a
/// time (the prompt's prefill not timed), each step the new position's logits; new tokens per second over all rows.
/// </summary>
public static class LmBench
{
    const int T = 256, DecodePrompt = 32, DecodeSteps = 32;

    static readonly LlamaConfig Config = new()
    {
        ModelType = "llama", VocabSize = 32000, HiddenSize = 512, IntermediateSize = 1376, NumHiddenLayers = 8,
        NumAttentionHeads = 8, NumKeyValueHeads = 2, HeadDim = 64, MaxPositionEmbeddings = 2048,
    };

    public static IReadOnlyList<BenchResult> Run(bool quick)
    {
        int repeats = quick ? 2 : 5;
        var model = new LlamaModel(Config, new Random(0));
        var inference = new LlamaInference(model);
        var rng = new Random(1);
        var results = new List<BenchResult>();
        const string shape = "d512 l8 h8 kv2 ffn1376 v32000 t256";
        foreach (int batch in new[] { 1, 8 })
        {
            var ids = Enumerable.Range(0, batch * T).Select(_ => rng.Next(Config.VocabSize)).ToArray();
            double ms = Timing.MedianMs(repeats, () => inference.Prefill(ids, batch));
            long before = GC.GetTotalAllocatedBytes(precise: true);
            inference.Prefill(ids, batch);
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            var peer = PythonPeer.RunFastest("lm_peer.py", PeerThreading.All, ["prefill_ms", "peak_rss_mb"], _ => true,
                $"{batch}", $"{T}", "512", "8", "8", "2", "1376", "32000", $"{Environment.ProcessorCount}", $"{repeats}");
            var prefill = peer["prefill_ms"];
            results.Add(new BenchResult($"lm prefill b{batch} {shape}", "tokens/s", batch * T * 1000 / ms, prefill.Peer("torch"), batch * T * 1000 / prefill.Value));
            results.Add(new BenchResult($"lm prefill allocations b{batch} {shape}", "bytes", allocated));
            if (batch == 8)
                results.Add(new BenchResult($"lm peak memory {shape}", "MB", Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0), peer["peak_rss_mb"].Peer("torch"), peer["peak_rss_mb"].Value));
        }
        foreach (int batch in new[] { 1, 8, 64 })
        {
            var prompt = Enumerable.Range(0, batch * DecodePrompt).Select(_ => rng.Next(Config.VocabSize)).ToArray();
            var steps = Enumerable.Range(0, DecodeSteps).Select(_ => Enumerable.Range(0, batch).Select(_ => rng.Next(Config.VocabSize)).ToArray()).ToArray();
            double ms = MedianDecodeMs(inference, repeats, batch, prompt, steps);
            var peer = PythonPeer.RunFastest("lm_peer.py", PeerThreading.All, ["decode_ms"], _ => true,
                $"{batch}", $"{DecodePrompt}", "512", "8", "8", "2", "1376", "32000", $"{Environment.ProcessorCount}", $"{repeats}", $"{DecodeSteps}")["decode_ms"];
            results.Add(new BenchResult($"lm decode b{batch} prompt{DecodePrompt} +{DecodeSteps} d512 l8 h8 kv2 ffn1376 v32000", "tokens/s",
                batch * DecodeSteps * 1000 / ms, peer.Peer("torch"), batch * DecodeSteps * 1000 / peer.Value));
        }
        return results;
    }

    /// <summary>The median time of the decode steps after the prompt (warm-up run first), each repeat on a fresh cache.</summary>
    static double MedianDecodeMs(LlamaInference inference, int repeats, int batch, int[] prompt, int[][] steps)
    {
        var times = new double[repeats + 1];
        for (int r = 0; r <= repeats; r++)
        {
            var cache = new KvCache(Config, batch, DecodePrompt + DecodeSteps);
            inference.Decode(prompt, cache);
            var clock = Stopwatch.StartNew();
            foreach (var step in steps) inference.Decode(step, cache);
            times[r] = clock.Elapsed.TotalMilliseconds;
        }
        var timed = times[1..];
        Array.Sort(timed);
        return timed[repeats / 2];
    }
}
