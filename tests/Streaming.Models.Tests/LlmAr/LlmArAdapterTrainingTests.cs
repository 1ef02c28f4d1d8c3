using Streaming.Models.ActionSentences;
using Streaming.Models.Checkpoints;
using Streaming.Models.LlmAr;
using Streaming.Models.Skeletons;
using Streaming.Models.Tokenization;

namespace Streaming.Models.Tests.LlmAr;

/// <summary>What each adapter trains: LoRA its low-rank updates, the action tokens and the head; P-Tuning v2 its prompts and the head only.</summary>
public sealed class LlmArAdapterTrainingTests
{
    static readonly string[] Labels = ["walk", "sit_down", "clap_hands"];

    static LlmArRecognizer Recognizer(LlmArAdapter adapter)
    {
        var folder = SharedData.Repository("samples", "lm");
        var lm = HfCheckpoint.Load(folder);
        var sentences = new ActionSentenceTokenizer(ActionSentenceConfig.ForLanguageModel(lm.Config, CanonicalSkeleton.JointCount * 3), new Random(1));
        return new LlmArRecognizer(lm, Tokenizer.Load(System.IO.Path.Combine(folder, "tokenizer.json")), sentences, Labels, new LlmArConfig { Adapter = adapter }, new Random(2));
    }

    static LabelledClip[] Clips(int count)
    {
        var rng = new Random(5);
        const int Frames = 40, Size = CanonicalSkeleton.JointCount * 3;
        return [.. Enumerable.Range(0, count).Select(i => new LabelledClip(
            new SkeletonClip([.. Enumerable.Range(0, Frames * Size).Select(_ => (float)rng.NextDouble() - 0.5f)], Frames, 3), i % Labels.Length))];
    }

    [Fact]
    public void PTuningV2_TrainsItsPromptsAndTheHead_TheActionTokensKeepTheirEmbeddings()
    {
        var model = Recognizer(LlmArAdapter.PTuningV2);
        var trained = model.Trained().ToList();
        Assert.DoesNotContain(trained, p => p.Name == LlmArRecognizer.ActionTokensName);
        Assert.Equal(model.Prompts!.PromptEmbeddings.Size + (model.Lm.Config.HiddenSize + 1) * Labels.Length, model.TrainedParameterCount);
        var tokens = model.ActionTokens.ToArray();
        var prompts = model.Prompts.PromptEmbeddings.ToArray();

        LlmArTraining.TrainRecognizer(model, Clips(6), new LlmArTrainingOptions { Steps = 2, BatchSize = 3 });

        Assert.Equal(tokens, model.ActionTokens.ToArray());
        Assert.NotEqual(prompts, model.Prompts.PromptEmbeddings.ToArray());
    }

    [Fact]
    public void Lora_TrainsTheActionTokens()
    {
        var model = Recognizer(LlmArAdapter.Lora);
        Assert.Contains(model.Trained(), p => p.Name == LlmArRecognizer.ActionTokensName);
        var tokens = model.ActionTokens.ToArray();
        LlmArTraining.TrainRecognizer(model, Clips(6), new LlmArTrainingOptions { Steps = 2, BatchSize = 3 });
        Assert.NotEqual(tokens, model.ActionTokens.ToArray());
    }
}
