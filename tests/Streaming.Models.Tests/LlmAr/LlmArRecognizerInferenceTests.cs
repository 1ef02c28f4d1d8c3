using Streaming.Models.ActionSentences;
using Streaming.Models.Checkpoints;
using Streaming.Models.LlmAr;
using Streaming.Models.Skeletons;
using Streaming.Models.Tokenization;
using Streaming.Tensors;

namespace Streaming.Models.Tests.LlmAr;

/// <summary>
/// The served class-head readout runs on the allocation-free inference path with LoRA merged and the instruction's keys
/// and values cached; it must give the probabilities of the autograd forward that training runs (LoRA unmerged, the
/// instruction encoded per batch).
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

    /// <summary>The shipped base model with a fresh tokenizer, and LoRA, action tokens and head moved off their initialization so each of them shows.</summary>
    static LlmArRecognizer Recognizer()
    {
        var folder = SampleLanguageModel();
        var lm = HfCheckpoint.Load(folder);
        var sentences = new ActionSentenceTokenizer(ActionSentenceConfig.ForLanguageModel(lm.Config, CanonicalSkeleton.JointCount * 3), new Random(1));
        var model = new LlmArRecognizer(lm, Tokenizer.Load(Path.Combine(folder, "tokenizer.json")), sentences, ["walk", "sit_down", "clap_hands", "wave_hands"], new LlmArConfig(), new Random(2));
        var rng = new Random(3);
        foreach (var (_, p) in model.Trained())
        {
            var values = p.Span;
            for (int i = 0; i < values.Length; i++) values[i] += (float)(rng.NextDouble() - 0.5) * 0.2f;
        }
        model.Eval();
        return model;
    }

    [Fact]
    public void ClassHeadProbabilities_EqualTheAutogradForwards_WithinATenThousandth()
    {
        var model = Recognizer();
        var rng = new Random(4);
        foreach (int B in new[] { 5, 1, 12, 5 })
        {
            var codes = Enumerable.Range(0, B * model.SentenceLength).Select(_ => rng.Next(model.Sentences.Config.Codes)).ToArray();
            var served = model.ProbabilitiesOf(codes, B, LlmArReadout.ClassHead);
            float[] expected;
            using (GradMode.Disable()) expected = model.Forward(codes, new int[B]).HeadLogits.Softmax(-1).ToArray();   // (B, K)
            int K = model.Labels.Count;
            for (int b = 0; b < B; b++)
                for (int k = 0; k < K; k++)
                    Assert.True(MathF.Abs(served[b][k] - expected[b * K + k]) <= 1e-4f, $"batch of {B}, clip {b}, label {k}: {served[b][k]} against {expected[b * K + k]}");
        }
    }
}
