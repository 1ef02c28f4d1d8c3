using System.Globalization;
using Streaming.Models.ActionSentences;
using Streaming.Models.Language;
using Streaming.Tensors;
using Streaming.Tensors.Tests.IO;
using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Models.Tests.ActionSentences;

public class ActionSentenceTokenizerTests
{
    static readonly ActionSentenceConfig Tiny = new() { Inputs = 6, Width = 8, Hidden = 5, Codes = 16, GumbelTau = 0.7f, MmdBandwidth = 0.8f, Curvature = 1f };

    static string Literal(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    [Fact]
    public void Loss_TinyConfig_EveryTermAndGradient_MatchesTorch()
    {
        var tokenizer = new ActionSentenceTokenizer(Tiny, new Random(3));
        var x = Rand([2, 14, 6]);                               // T = 14: W = 3 codes, the last 2 frames beyond 4W
        var noise = Gumbel.Noise(new Random(5), 6, 16);
        var embeddings = Rand([10, 8], 0.3f);
        var frames = Tensor.Parameter((float[])x.Data.Clone(), x.Shape);
        var lm = Tensor.Parameter((float[])embeddings.Data.Clone(), embeddings.Shape);
        var loss = tokenizer.Loss(frames, lm, noise);
        var terms = Tensor.Stack(loss.Terms, 0);               // (7)
        var gradOut = RandomData(new Random(7), terms.Size);
        terms.Backward(Tensor.FromArray(gradOut, terms.Size));

        var parameters = tokenizer.NamedParameters().ToList();
        var byName = string.Join(", ", parameters.Select((p, i) => $"'{p.Name}': x{i + 3}"));
        var c = Tiny;
        var expr = $"ref_action_sentences.tokenizer_loss_terms(x0, x1, x2, {{{byName}}}, c={Literal(c.Curvature)}, tau={Literal(c.GumbelTau)}, " +
            $"alpha={Literal(c.ZipfAlpha)}, beta={Literal(c.ZipfBeta)}, sigma={Literal(c.MmdBandwidth)}, commit_w={Literal(c.CommitmentWeight)}, human_w={Literal(c.HumanWeight)})";
        OracleInput[] inputs = [x, new OracleInput(noise.ToArray(), noise.Shape, Grad: false), embeddings,
            .. parameters.Select(p => new OracleInput(p.Value.ToArray(), p.Value.Shape))];
        var expected = TorchOracle.Run(new TorchOracle.Case(expr, inputs, gradOut));

        Close("loss terms", terms.ToArray(), expected.Output, 1e-5f, 1e-4f);
        Assert.All(terms.ToArray(), v => Assert.True(v > 0f, "every term is positive on random weights"));
        Close("gradient of the frames", frames.Grad!.ToArray(), expected.Grads[0]!, 1e-5f, 1e-3f);
        Assert.True(lm.Grad is null, "the language model's embeddings are frozen: MMD pulls the codebook only");
        for (int i = 0; i < parameters.Count; i++)
            Close($"gradient of {parameters[i].Name}", parameters[i].Value.Grad!.ToArray(), expected.Grads[i + 3]!, 1e-5f, 1e-3f);
    }

    [Fact]
    public void EncodeDecode_ShapesFollowTheDownsampling_AndSaveLoadKeepsThem()
    {
        var tokenizer = new ActionSentenceTokenizer(Tiny, new Random(1));
        var sequence = Tensor.FromArray(RandomData(new Random(2), 13 * 6), 13, 6);
        var ids = tokenizer.Encode(sequence);
        Assert.Equal(3, ids.Length);                            // floor(13 / 4)
        Assert.All(ids, id => Assert.InRange(id, 0, Tiny.Codes - 1));
        var decoded = tokenizer.Decode(ids);
        Assert.Equal([12, 6], decoded.Shape);

        using var folder = new TempDirectory();
        tokenizer.Save(folder.Path);
        var loaded = ActionSentenceTokenizer.Load(folder.Path);
        Assert.Equal(Tiny, loaded.Config);
        Assert.Equal(ids, loaded.Encode(sequence));
        Assert.Equal(decoded.ToArray(), loaded.Decode(ids).ToArray());
        Assert.Equal(tokenizer.CodebookTangents.ToArray(), loaded.CodebookTangents.ToArray());
    }

    [Theory]
    [InlineData(CodebookGeometry.Poincare)]
    [InlineData(CodebookGeometry.Euclidean)]
    public void ServedCodes_EqualTheAutogradEncoders_OnUtKinectWindows(CodebookGeometry geometry)
    {
        // The serving path (EncodeBatch, allocation-free kernels) against the path training differentiates (Loss's codes):
        // the shipped tokenizer's weights, in either geometry, on real windows.
        var recognizer = Streaming.Models.LlmAr.LlmArCheckpoint.Load(SharedData.Repository("samples", "llm-ar"));
        var shipped = Assert.IsType<ActionSentenceTokenizer>(recognizer.Observations);
        var tokenizer = new ActionSentenceTokenizer(shipped.Config with { Geometry = geometry }, new Random(1));
        tokenizer.LoadState(shipped.State());
        var benchmark = Streaming.Models.LlmAr.RecognitionProtocols.UtKinectWindows(SharedData.Path("utkinect-action3d"), 3, 30, 3);
        var frames = recognizer.Frames([.. benchmark.Folds[0].Test.Take(48).Select(s => s.Clip)]);
        int N = frames.Shape[0] * frames.Shape[1] / ActionSentenceConfig.Downsampling;
        var autograd = tokenizer.Loss(frames, Tensor.Zeros(8, shipped.Config.Width), Tensor.Zeros(N, shipped.Config.Codes)).Codes;
        var served = tokenizer.EncodeBatch(frames);
        Assert.Equal(autograd, served);
        Assert.True(served.Distinct().Count() > 20, $"48 windows used only {served.Distinct().Count()} codes");
        Assert.Equal(served.AsSpan(0, 3 * frames.Shape[1] / ActionSentenceConfig.Downsampling).ToArray(), tokenizer.EncodeBatch(frames.Narrow(0, 0, 3)));
    }

    [Fact]
    public void ZipfTarget_IsNormalizedAndFollowsTheLaw()
    {
        var p = ActionSentenceTokenizer.ZipfTarget(512, 1f, 2.7f).ToArray();
        Assert.Equal(1.0, p.Sum(v => (double)v), 5);
        Assert.Equal((2 + 2.7) / (1 + 2.7), p[0] / p[1], 4);   // p(r) ∝ 1 / (r + beta)
        Assert.Equal((512 + 2.7) / (511 + 2.7), p[510] / p[511], 4);
    }

    [Fact]
    public void Checks_WrongWidthShortSequenceAndNaN_SayWhatIsWrong()
    {
        var tokenizer = new ActionSentenceTokenizer(Tiny, new Random(1));
        var ex = Assert.Throws<ArgumentException>(() => tokenizer.CheckLanguageModel(new LlamaConfig { HiddenSize = 128 }));
        Assert.Contains("codebook width is 8", ex.Message);
        Assert.Contains("hidden_size is 128", ex.Message);
        tokenizer.CheckLanguageModel(new LlamaConfig { HiddenSize = 8, HeadDim = 2 });
        Assert.Equal(128, ActionSentenceConfig.ForLanguageModel(new LlamaConfig { HiddenSize = 128 }, 60).Width);

        var frames = Tensor.FromArray(RandomData(new Random(2), 2 * 8 * 6), 2, 8, 6);
        ex = Assert.Throws<ArgumentException>(() => tokenizer.Loss(frames, Tensor.Zeros(10, 16), new Random(1)));
        Assert.Contains("(10, 16)", ex.Message);
        Assert.Contains("codebook width is 8", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => tokenizer.Encode(Tensor.Zeros(3, 6)));
        Assert.Contains("3 frame(s) is too short", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => tokenizer.Encode(Tensor.Zeros(8, 5)));
        Assert.Contains("(B, T, 6)", ex.Message);

        var withNaN = Tensor.Zeros(8, 6);
        withNaN[5, 2] = float.NaN;
        ex = Assert.Throws<ArgumentException>(() => tokenizer.Encode(withNaN));
        Assert.Contains("frame 5, value 2 is NaN", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => new ActionSentenceTokenizer(Tiny with { Codes = 15 }, new Random(1)));
        Assert.Contains("even", ex.Message);
    }
}
