using Streaming.Models.ActionSentences;
using Streaming.Models.Checkpoints;
using Streaming.Models.LlmAr;
using Streaming.Models.Skeletons;
using Streaming.Models.Tokenization;
using Streaming.Tensors;

namespace Streaming.Models.Tests.LlmAr;

/// <summary>
/// The served class-head readout runs on the allocation-free inference path with LoRA merged and the prompts' and
/// instruction's keys and values cached; it must give the probabilities of the autograd forward that training runs (LoRA
/// unmerged, the instruction encoded per batch), with either adapter.
/// </summary>
public sealed class LlmArRecognizerInferenceTests
{
    static string SampleLanguageModel()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "lm");
            if (File.Exists(Path.Combine(candidate, "config.json"))) return candidate;
        }
        throw new DirectoryNotFoundException("samples/lm not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The shipped base model with a fresh tokenizer, and the adapter, action tokens and head moved off their initialization so each of them shows.</summary>
    static LlmArRecognizer Recognizer(LlmArAdapter adapter)
    {
        var folder = SampleLanguageModel();
        var lm = HfCheckpoint.Load(folder);
        var sentences = new ActionSentenceTokenizer(ActionSentenceConfig.ForLanguageModel(lm.Config, CanonicalSkeleton.JointCount * 3), new Random(1));
        var model = new LlmArRecognizer(lm, Tokenizer.Load(Path.Combine(folder, "tokenizer.json")), sentences, ["walk", "sit_down", "clap_hands", "wave_hands"], new LlmArConfig { Adapter = adapter }, new Random(2));
        var rng = new Random(3);
        foreach (var (_, p) in model.Trained())
        {
            var values = p.Span;
            for (int i = 0; i < values.Length; i++) values[i] += (float)(rng.NextDouble() - 0.5) * 0.2f;
        }
        model.Eval();
        return model;
    }

    [Theory]
    [InlineData(LlmArAdapter.Lora)]
    [InlineData(LlmArAdapter.PTuningV2)]
    [InlineData(LlmArAdapter.None)]
    public void ClassHeadProbabilities_EqualTheAutogradForwards_WithinATenThousandth(LlmArAdapter adapter)
    {
        var model = Recognizer(adapter);
        var rng = new Random(4);
        foreach (int B in new[] { 5, 1, 12, 5 })
        {
            var codes = Enumerable.Range(0, B * model.SentenceLength).Select(_ => rng.Next(model.Observations.Codes)).ToArray();
            var served = model.ProbabilitiesOf(codes, B, LlmArReadout.ClassHead);
            float[] expected;
            using (GradMode.Disable()) expected = model.Forward(codes, new int[B]).HeadLogits.Softmax(-1).ToArray();   // (B, K)
            int K = model.Labels.Count;
            for (int b = 0; b < B; b++)
                for (int k = 0; k < K; k++)
                    Assert.True(MathF.Abs(served[b][k] - expected[b * K + k]) <= 1e-4f, $"batch of {B}, clip {b}, label {k}: {served[b][k]} against {expected[b * K + k]}");
        }
    }

    [Fact]
    public void PTuningV2_Prompts_AreTrained_AndChangeThePrediction()
    {
        var model = Recognizer(LlmArAdapter.PTuningV2);
        Assert.NotNull(model.Prompts);
        Assert.Null(model.Lora);
        var rng = new Random(5);
        var codes = Enumerable.Range(0, 3 * model.SentenceLength).Select(_ => rng.Next(model.Observations.Codes)).ToArray();
        model.Train();
        var (logits, labelLoss) = model.Forward(codes, [0, 1, 2]);
        Tensor.CrossEntropy(logits, [0, 1, 2]).Add(labelLoss).Backward();
        var grad = model.Prompts!.PromptEmbeddings.Grad!.ToArray();
        Assert.True(grad.Max(MathF.Abs) > 1e-6f, "no gradient reached the prompts");
        // Every layer's prompts get a gradient, keys and values: each column block of the table.
        int blocks = model.Lm.Config.NumHiddenLayers * 2, width = grad.Length / model.Prompts.NumVirtualTokens / blocks;
        for (int block = 0; block < blocks; block++)
            Assert.True(Enumerable.Range(0, model.Prompts.NumVirtualTokens).Any(p => Enumerable.Range(0, width).Any(j => grad[(p * blocks + block) * width + j] != 0f)), $"block {block} got no gradient");
        model.Eval();
        var before = model.ProbabilitiesOf(codes, 3, LlmArReadout.ClassHead);
        var changed = Recognizer(LlmArAdapter.PTuningV2);
        var table = changed.Prompts!.PromptEmbeddings.Span;
        for (int i = 0; i < table.Length; i++) table[i] *= 1.5f;
        var after = changed.ProbabilitiesOf(codes, 3, LlmArReadout.ClassHead);
        Assert.True(before.Zip(after).Any(p => p.First.Zip(p.Second).Any(q => MathF.Abs(q.First - q.Second) > 1e-4f)), "the prompts do not reach the prediction");
    }
}
