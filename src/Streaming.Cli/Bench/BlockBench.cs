using System.Diagnostics;
using Streaming.Cli.Peers;
using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Cli.Bench;

/// <summary>
/// One LLaMA-style block (RMSNorm, attention with rotary positions, SwiGLU) at d=512, 8 heads,
/// ffn 1376, batch 8 x seq 256 against the same block in PyTorch (Peers/block_peer.py): the inference
/// forward (ours on the allocation-free kernels, torch under no_grad), forward+backward through autograd,
/// our managed allocations per inference forward in steady state, and peak memory.
/// </summary>
public static class BlockBench
{
    const int B = 8, T = 256, D = 512, H = 8, Ffn = 1376;

    public static IEnumerable<BenchResult> Run(bool quick)
    {
        int repeats = quick ? 2 : 5;
        var block = new LlamaBlock(B, T, D, H, Ffn, seed: 0);
        var x = Init.Normal(new Random(1), 0f, 1f, B, T, D);
        var output = Tensor.Zeros(B, T, D);
        block.CheckInferenceMatchesAutograd(x, output);

        double forwardMs = Timing.MedianMs(repeats, () => block.Infer(x, output));
        // Every thread's allocations: the worker threads' count too.
        long before = GC.GetTotalAllocatedBytes(precise: true);
        block.Infer(x, output);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        double trainMs = Timing.MedianMs(repeats, () => block.ForwardBackward(x));
        double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);

        var peer = PythonPeer.RunFastest("block_peer.py", PeerThreading.All, ["forward_ms", "train_ms", "peak_rss_mb"], _ => true,
            $"{B}", $"{T}", $"{D}", $"{H}", $"{Ffn}", $"{Environment.ProcessorCount}", $"{repeats}");
        var (peerForward, peerTrain, peerPeak) = (peer["forward_ms"], peer["train_ms"], peer["peak_rss_mb"]);
        const string shape = "d512 h8 ffn1376 b8 t256";
        // Throughput (blocks/s) so that ratio > 1 means faster than PyTorch.
        yield return new BenchResult($"llama block forward {shape}", "blocks/s", 1000 / forwardMs, peerForward.Peer("torch"), 1000 / peerForward.Value);
        yield return new BenchResult($"llama block forward+backward {shape}", "blocks/s", 1000 / trainMs, peerTrain.Peer("torch"), 1000 / peerTrain.Value);
        yield return new BenchResult($"llama block forward allocations {shape}", "bytes", allocated);
        yield return new BenchResult($"llama block peak memory {shape}", "MB", peakMb, peerPeak.Peer("torch"), peerPeak.Value);
    }
}
