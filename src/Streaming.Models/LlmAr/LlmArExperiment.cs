using System.Diagnostics;
using Streaming.Models.ActionSentences;
using Streaming.Models.Checkpoints;
using Streaming.Models.EventTokens;
using Streaming.Models.Observations;
using Streaming.Models.Skeletons;
using Streaming.Models.Tokenization;
using Streaming.Tensors.Optim;

namespace Streaming.Models.LlmAr;

/// <summary>A trained LLM-AR and what each stage took; a stage that was given, not trained, took zero.</summary>
public sealed record LlmArRun(LlmArRecognizer Model, TimeSpan TokenizerTime, TimeSpan RecognizerTime);

/// <summary>
/// Where <see cref="LlmArExperiment.Train"/> starts and what it does after each epoch. A stage given without its state has
/// finished and is not trained again; given with its state, it continues from there. The callbacks get the optimizer while
/// the stage goes on and null after its last epoch. Empty: a fresh run in memory.
/// </summary>
public sealed record LlmArCheckpointing
{
    public ObservationTokenizer? Tokenizer { get; init; }
    public LlmArTrainingState? TokenizerState { get; init; }
    public LlmArRecognizer? Recognizer { get; init; }
    public LlmArTrainingState? RecognizerState { get; init; }
    public Action<ObservationTokenizer, int, AdamW?>? TokenizerEpochDone { get; init; }
    public Action<LlmArRecognizer, int, AdamW?>? RecognizerEpochDone { get; init; }

    /// <summary>
    /// Checkpoints into the model folder <paramref name="folder"/> after every epoch (<see cref="LlmArCheckpoint"/>), with
    /// <paramref name="baseModelFolder"/> copied into its base/. With <paramref name="resume"/> each stage continues from
    /// the folder's last finished epoch (its tokenizer of kind <paramref name="tokenizer"/>); without it, what an earlier
    /// run left there is cleared first.
    /// </summary>
    public static LlmArCheckpointing Folder(string folder, string baseModelFolder, string dataset, LlmArTokenizer tokenizer, bool resume)
    {
        if (!resume && Directory.Exists(folder))
            foreach (var stale in new[] { LlmArCheckpoint.ConfigFile, LlmArCheckpoint.TrainingStateFile, LlmArCheckpoint.TokenizerStateFile }.Concat(ObservationTokenizers.ConfigFiles))
                File.Delete(Path.Combine(folder, stale));
        Directory.CreateDirectory(folder);
        LlmArCheckpoint.CopyBase(folder, baseModelFolder);
        var tokenizerState = resume ? LlmArCheckpoint.LoadTokenizerState(folder) : null;
        bool recognizerStarted = resume && LlmArCheckpoint.IsFolder(folder);
        return new LlmArCheckpointing
        {
            Tokenizer = resume ? ObservationTokenizers.LoadSaved(folder, tokenizer) : null,
            TokenizerState = tokenizerState,
            Recognizer = recognizerStarted ? LlmArCheckpoint.Load(folder) : null,
            RecognizerState = recognizerStarted ? LlmArCheckpoint.LoadTrainingState(folder) : null,
            TokenizerEpochDone = (trained, epoch, optimizer) => LlmArCheckpoint.SaveTokenizer(folder, trained, epoch, optimizer),
            RecognizerEpochDone = (model, epoch, optimizer) => LlmArCheckpoint.Save(folder, model, dataset, epoch, optimizer),
        };
    }
}

/// <summary>
/// One LLM-AR trained on a split, in memory: the action-sentence tokenizer on the training clips, then LoRA and the class
/// head on a fresh copy of the frozen base model (LoRA is merged into the copy's weights for serving, so no two models share
/// one). <c>train llm-ar</c> runs it with a model folder's checkpointing, <c>eval recognition</c> once per protocol fold and
/// ablation.
/// </summary>
public static class LlmArExperiment
{
    /// <param name="baseModelFolder">The frozen base language model: a Hugging Face folder with tokenizer.json.</param>
    /// <param name="sentences">Changes the action-sentence tokenizer's config (from <see cref="ActionSentenceConfig.ForLanguageModel"/>): the ablations of its loss and geometry.</param>
    /// <param name="events">Changes the event tokenizer's config (from <see cref="EventTokenConfig.ForLanguageModel"/>): the ablations of its pooling, loss and codebook.</param>
    public static LlmArRun Train(string baseModelFolder, RecognitionSplit split, LlmArConfig config, LlmArTrainingOptions options,
        Func<ActionSentenceConfig, ActionSentenceConfig>? sentences = null, LlmArCheckpointing? checkpointing = null, IProgress<LlmArProgress>? progress = null,
        Func<EventTokenConfig, EventTokenConfig>? events = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        checkpointing ??= new LlmArCheckpointing();
        var lm = HfCheckpoint.Load(baseModelFolder);
        var text = Tokenizer.Load(Path.Combine(baseModelFolder, "tokenizer.json"));

        var clock = Stopwatch.StartNew();
        var tokenizer = checkpointing.Tokenizer;
        if (tokenizer is null || checkpointing.TokenizerState is not null)
        {
            int inputs = CanonicalSkeleton.JointCount * config.Dimensions;
            var trained = tokenizer ?? config.Tokenizer switch
            {
                LlmArTokenizer.ActionSentences => new ActionSentenceTokenizer(
                    sentences?.Invoke(ActionSentenceConfig.ForLanguageModel(lm.Config, inputs)) ?? ActionSentenceConfig.ForLanguageModel(lm.Config, inputs), new Random(options.Seed)),
                LlmArTokenizer.EventTokens => new EventTokenizer(
                    events?.Invoke(EventTokenConfig.ForLanguageModel(lm.Config, inputs)) ?? EventTokenConfig.ForLanguageModel(lm.Config, inputs), new Random(options.Seed)),
                _ => throw new ArgumentOutOfRangeException(nameof(config), config.Tokenizer, "LLM-AR: unknown tokenizer."),
            };
            var optimizer = LlmArTraining.TokenizerOptimizer(trained, options);
            checkpointing.TokenizerState?.Restore(optimizer);
            int epochs = LlmArTraining.TokenizerEpochs(split.Train.Count, options);
            var clips = split.Train.Select(c => c.Clip).ToList();
            int startEpoch = checkpointing.TokenizerState?.EpochsDone ?? 0;
            void EpochDone(int epoch, AdamW o) => checkpointing.TokenizerEpochDone?.Invoke(trained, epoch, epoch < epochs ? o : null);
            switch (trained)
            {
                case ActionSentenceTokenizer actionSentences:
                    LlmArTraining.TrainTokenizer(actionSentences, clips, config.Frames, lm.EmbedTokens, options, optimizer, startEpoch, EpochDone, progress);
                    break;
                case EventTokenizer eventTokens:
                    LlmArTraining.TrainEventTokenizer(eventTokens, clips, config.Frames, options, optimizer, startEpoch, EpochDone, progress);
                    break;
                default:
                    throw new ArgumentException($"LLM-AR: no training for a {trained.Kind} tokenizer.", nameof(config));
            }
            // Also when a resumed stage had no epoch left to run, so its state goes.
            checkpointing.TokenizerEpochDone?.Invoke(trained, epochs, null);
            tokenizer = trained;
        }
        tokenizer.Eval();
        var tokenizerTime = clock.Elapsed;

        clock.Restart();
        var model = checkpointing.Recognizer;
        if (model is null || checkpointing.RecognizerState is not null)
        {
            var trained = model;
            if (trained is null)
            {
                trained = new LlmArRecognizer(lm, text, tokenizer, split.Labels, config, new Random(options.Seed));
                // A fresh start only (a checkpoint's prompts are its own): P-Tuning v2's prompts begin as the instruction's keys and values.
                trained.Prompts?.InitializeFrom(lm, trained.Prompt.Instruction);
            }
            var optimizer = LlmArTraining.RecognizerOptimizer(trained, options);
            checkpointing.RecognizerState?.Restore(optimizer);
            int epochs = LlmArTraining.RecognizerEpochs(split.Train.Count, options);
            LlmArTraining.TrainRecognizer(trained, split.Train, options, optimizer, checkpointing.RecognizerState?.EpochsDone ?? 0,
                (epoch, o) => checkpointing.RecognizerEpochDone?.Invoke(trained, epoch, epoch < epochs ? o : null), progress);
            model = trained;
        }
        return new LlmArRun(model, tokenizerTime, clock.Elapsed);
    }
}
