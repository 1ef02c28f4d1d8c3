using Streaming.Models.ActionSentences;
using Streaming.Models.Anticipation;
using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.EventTokens;
using Streaming.Models.Language;
using Streaming.Models.LlmAr;
using Streaming.Models.Observations;
using Streaming.Models.Recognition;
using Streaming.Models.Skeletons;
using Streaming.Models.Tokenization;
using Streaming.Models.Tokenization.Training;

namespace Streaming.Pipeline.Tests.Fixtures;

/// <summary>
/// Tiny LLM-AR folders made in seconds, as <c>streaming train llm-ar</c> (or <c>train vtem</c>) writes them: a byte-level
/// BPE over the prompt, a tiny random LLaMA as the frozen base, the tokenizer (action sentences or event tokens) and then
/// the adapter (LoRA or P-Tuning v2) and the class head trained for one epoch on a few UTKinect windows, and optionally the
/// transition anticipator of the training takes. Their accuracy is low; every part is real.
/// </summary>
public static class TinyLlmAr
{
    /// <summary>Writes the folder (its base model under <c>folder-lm</c>) from the UTKinect-Action3D data in <paramref name="utKinect"/>; returns the folder.</summary>
    public static string Save(string folder, string utKinect, int dimensions = 3, LlmArSequence sequence = LlmArSequence.Window, bool anticipator = true,
        LlmArTokenizer tokenizer = LlmArTokenizer.ActionSentences, LlmArAdapter adapter = LlmArAdapter.Lora)
    {
        var split = RecognitionSplit.UtKinectWindows(utKinect, dimensions, windowFrames: 15, hop: 3);
        // Every 20th window: all the actions, a few clips each.
        var clips = split.Train.Where((_, i) => i % 20 == 0).ToList();
        var baseFolder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(folder))!, Path.GetFileName(folder) + "-lm");
        var bpe = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 300 })
            .Train([ActionInstruction.For(split.Labels), .. split.Labels.Select(ActionInstruction.Answer)]);
        HfCheckpoint.Save(new LlamaModel(LlamaConfig.Tiny with { VocabSize = bpe.ToTokenizer().VocabularySize }, new Random(2)), baseFolder);
        bpe.Save(Path.Combine(baseFolder, "tokenizer.json"));
        LlmArCheckpoint.CopyBase(folder, baseFolder);

        var lm = HfCheckpoint.Load(Path.Combine(folder, LlmArCheckpoint.BaseFolder));
        var options = new LlmArTrainingOptions { TokenizerSteps = 4, Steps = 8 };
        int inputs = CanonicalSkeleton.JointCount * dimensions;
        var config = new LlmArConfig
        {
            Frames = 16, Dimensions = dimensions, LoraRank = 4, Sequence = sequence, WindowFrames = sequence == LlmArSequence.Window ? 15 : 0,
            Tokenizer = tokenizer, Adapter = adapter, PromptTokens = 4,
        };
        ObservationTokenizer sentences;
        if (tokenizer == LlmArTokenizer.EventTokens)
        {
            var events = new EventTokenizer(EventTokenConfig.ForLanguageModel(lm.Config, inputs) with { Hidden = 16, Codes = 64, Segments = 4 }, new Random(3));
            LlmArTraining.TrainEventTokenizer(events, [.. clips.Select(c => c.Clip)], config.Frames, options);
            sentences = events;
        }
        else
        {
            var actionSentences = new ActionSentenceTokenizer(ActionSentenceConfig.ForLanguageModel(lm.Config, inputs) with { Hidden = 16, Codes = 64 }, new Random(3));
            LlmArTraining.TrainTokenizer(actionSentences, [.. clips.Select(c => c.Clip)], config.Frames, lm.EmbedTokens, options);
            sentences = actionSentences;
        }
        var model = new LlmArRecognizer(lm, Tokenizer.Load(Path.Combine(baseFolder, "tokenizer.json")), sentences, split.Labels, config, new Random(4));
        LlmArTraining.TrainRecognizer(model, clips, options);
        LlmArCheckpoint.Save(folder, model, split.Dataset, epochsDone: LlmArTraining.RecognizerEpochs(clips.Count, options), null);
        if (anticipator)
        {
            var subjects = UtKinect.TrainSubjects(utKinect);
            TransitionAnticipator.Train(UtKinect.Load(utKinect).Where(r => subjects.Contains(r.Subject)).Select(UtKinectBaseline.Runs), split.Labels)
                .Save(Path.Combine(folder, "anticipator.json"));
        }
        return folder;
    }
}
