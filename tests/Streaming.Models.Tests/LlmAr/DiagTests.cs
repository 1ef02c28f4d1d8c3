using System.Diagnostics;
using Streaming.Models.ActionSentences;
using Streaming.Models.Checkpoints;
using Streaming.Tensors;
using Xunit.Abstractions;

namespace Streaming.Models.Tests.LlmAr;

public class DiagTests(ITestOutputHelper output)
{
    [Fact]
    public void Diag()
    {
        var lm = HfCheckpoint.Load("/work/main/samples/lm");
        var config = ActionSentenceConfig.ForLanguageModel(lm.Config, 60);
        var tok = new ActionSentenceTokenizer(config, new Random(1));
        var rng = new Random(2);
        var x = Tensor.FromArray([.. Enumerable.Range(0, 32 * 32 * 60).Select(_ => (float)rng.NextDouble())], 32, 32, 60);
        var y = Tensor.FromArray([.. Enumerable.Range(0, 256 * 128).Select(_ => (float)rng.NextDouble() * 0.05f)], 256, 128);
        for (int rep = 0; rep < 3; rep++)
        {
            var c = Stopwatch.StartNew();
            var loss = tok.Loss(x, lm.EmbedTokens, rng);
            var tf = c.Elapsed.TotalMilliseconds;
            loss.Total.Backward();
            var tb = c.Elapsed.TotalMilliseconds - tf;
            c.Restart();
            var d = PoincareBall.PairwiseDistance(PoincareBall.ExpMap0(y), PoincareBall.ExpMap0(tok.CodebookTangents));
            var tp = c.Elapsed.TotalMilliseconds; c.Restart();
            var m = MaximumMeanDiscrepancy.GaussianBiased(tok.CodebookTangents, lm.EmbedTokens, 1f);
            var tm = c.Elapsed.TotalMilliseconds; c.Restart();
            m.Backward(); var tmb = c.Elapsed.TotalMilliseconds;
            output.WriteLine($"loss fwd {tf:0} ms bwd {tb:0} ms; pairwise {tp:0} ms; mmd {tm:0} ms bwd {tmb:0}");
        }
    }
}
