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
            double flops = PrefillFlops(batch);
            results.Add(new BenchResult($"lm prefill b{batch} {shape} arithmetic", "GFLOP/s", flops / ms / 1e6, prefill.Peer("torch"), flops / prefill.Value / 1e6));
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

    /// <summary>
    /// The floating-point operations of one prefill as we count them: 2 per multiply-add of every projection, of the
    /// causal attention's scores and weighted sums (the keys up to each query), and of the last positions' LM head;
    /// what the GEMM rows of `bench engine` bound. PyTorch's masked attention computes the full T x T, about 2% more.
    /// </summary>
    static double PrefillFlops(int batch)
    {
        var c = Config;
        long kv = c.NumKeyValueHeads * c.HeadDim, q = c.NumAttentionHeads * c.HeadDim;
        long projections = c.HiddenSize * (2 * q + 2 * kv) + 3L * c.HiddenSize * c.IntermediateSize; // q, o, k, v; gate, up, down
        double attention = 2.0 * c.NumAttentionHeads * c.HeadDim * (T * (T + 1) / 2.0);              // QK^T and PV, causal
        return 2.0 * batch * c.NumHiddenLayers * (T * projections + attention) + 2.0 * batch * c.HiddenSize * c.VocabSize;
    }

    /// <summary>The median time of the decode steps after the prompt (after <see cref="Timing.Warm"/>), each run on a fresh cache.</summary>
    static double MedianDecodeMs(LlamaInference inference, int repeats, int batch, int[] prompt, int[][] steps)
    {
        double Run()
        {
            var cache = new KvCache(Config, batch, DecodePrompt + DecodeSteps);
            inference.Decode(prompt, cache);
            var clock = Stopwatch.StartNew();
            foreach (var step in steps) inference.Decode(step, cache);
            return clock.Elapsed.TotalMilliseconds;
        }
        Timing.Warm(() => Run());
        var times = Enumerable.Range(0, repeats).Select(_ => Run()).Order().ToArray();
        return times[repeats / 2];
    }
}
