using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Streaming.Models.Anticipation;
using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization;

namespace Streaming.Cli.Commands;

/// <summary>A trained ActionLLM and what it cost: the per-split base model's pre-training (zero when given) and ActionLLM's epochs run here.</summary>
/// <param name="Stopping">With validation videos: the scores and weights after each scored epoch.</param>
public sealed record ActionLlmTrainingRun(ActionLlm Model, TimeSpan BaseModelTime, TimeSpan TrainingTime, int EpochsRun, ValidationStopping? Stopping = null)
{
    /// <summary>The cost line the commands print, e.g. "base LM 48 s; ActionLLM 41 s, 2.1 s per epoch; peak memory 610 MB" (the process's peak working set).</summary>
    /// <param name="unit">What one run trained for, in the "per …" of the line: a split, or a split and seed.</param>
    public static string Describe(IReadOnlyList<ActionLlmTrainingRun> runs, string unit = "split")
    {
        double baseModel = runs.Sum(r => r.BaseModelTime.TotalSeconds), training = runs.Sum(r => r.TrainingTime.TotalSeconds);
        int epochs = runs.Sum(r => r.EpochsRun), n = runs.Count, pretrained = runs.Count(r => r.BaseModelTime > TimeSpan.Zero);
        var perSplit = n > 1 ? $" per {unit}" : "";
        // Runs that share a base model (several trainings of one split and seed) report it once.
        var lm = pretrained == 0 ? "" : pretrained == n ? string.Create(CultureInfo.InvariantCulture, $"base LM {baseModel / n:0.0} s{perSplit}; ")
            : string.Create(CultureInfo.InvariantCulture, $"base LM {baseModel / pretrained:0.0} s for each of {pretrained}; ");
        return string.Create(CultureInfo.InvariantCulture,
            $"{lm}ActionLLM {training / n:0.0} s{perSplit}, {(epochs > 0 ? training / epochs : 0):0.00} s per epoch; peak memory {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MB");
    }
}

/// <summary>
/// ActionLLM's base model, architecture and training for one split, as chosen on the command line; with
/// <paramref name="UseVisualFeatures"/> the model reads a dataset's features when every video has them (see <see cref="For"/>).
/// </summary>
public sealed record ActionLlmSetup(string LmFolder, LanguageModelTrainingOptions BaseModel, ActionLlmConfig Config, ActionLlmTrainingOptions Training, bool UseVisualFeatures)
{
    /// <summary>The --lm value that pre-trains a base model per split on its training videos.</summary>
    public const string PerSplitBaseModel = "per-split";

    /// <summary>
    /// This setup for <paramref name="dataset"/>: ActionLLM reads visual features of the dataset's width when every video has
    /// features/&lt;video&gt;.npy (and --no-visual is not given), the labels alone otherwise; the line says which, for the user.
    /// </summary>
    public (ActionLlmSetup Setup, string Inputs) For(FrameLabelDataset dataset)
    {
        int width = dataset.FeatureWidth ?? 0;
        if (!dataset.EveryVideoHasFeatures)
            return (this with { Config = Config with { VisualFeatures = 0 } }, width == 0
                ? "ActionLLM inputs: labels only (no features/<video>.npy)"
                : "ActionLLM inputs: labels only (features/<video>.npy is missing for some videos)");
        if (!UseVisualFeatures)
            return (this with { Config = Config with { VisualFeatures = 0 } }, $"ActionLLM inputs: labels only (features of width {width} ignored: --no-visual)");
        return (this with { Config = Config with { VisualFeatures = width } },
            $"ActionLLM inputs: labels and visual features (every video has features/<video>.npy, D = {width}; --no-visual ignores them)" +
            (Training.VisualLoss ? "" : "; without L_V (--no-visual-loss)"));
    }

    /// <summary>Scores <paramref name="model"/> on <paramref name="videos"/> with the anticipation protocol, with their features when it reads them.</summary>
    public IReadOnlyList<MocCell> Evaluate(ActionLlm model, IReadOnlyList<LabelledVideo> videos, int classes) => Evaluate([model], videos, classes);

    /// <summary>Scores an ensemble of models (seeds) decoding as one on <paramref name="videos"/>.</summary>
    public IReadOnlyList<MocCell> Evaluate(IReadOnlyList<ActionLlm> ensemble, IReadOnlyList<LabelledVideo> videos, int classes) => ensemble[0].Config.VisualFeatures > 0
        ? AnticipationProtocol.Evaluate(videos, classes, ActionLlmTraining.VisualAnticipation(ensemble, Training.StepsPerVideo))
        : AnticipationProtocol.Evaluate(videos, classes, ActionLlmTraining.Anticipation(ensemble, Training.StepsPerVideo));

    /// <summary>
    /// Pre-trains the per-split base model of this setup's seed on the action sequences of <paramref name="train"/> (as
    /// `train lm --split K --corpus Sequences`) and saves it to <paramref name="folder"/>; the same seed, split and videos
    /// give the same model, so a caller that trains several ActionLLMs on one split and seed can pre-train it once.
    /// </summary>
    public void PretrainBaseModel(FrameLabelDataset dataset, IReadOnlyList<LabelledVideo> train, int split, ProgressTask task, string folder)
    {
        task.MaxValue = BaseModel.Steps;
        var trained = LanguageModelTraining.Train(ActionCorpus.Documents(train, dataset.Actions), BaseModel with { Seed = Training.Seed * 100 + split },
            new InlineProgress<LanguageModelProgress>(p =>
            {
                task.Value = p.Step;
                task.Description = string.Create(CultureInfo.InvariantCulture, $"split {split}: base LM loss {p.Loss:0.000} {p.TokensPerSecond:0} tok/s");
            }));
        trained.Save(folder);
    }

    /// <summary>With validation videos, the model is scored on them after every this many epochs and after the last.</summary>
    public const int ValidationInterval = 5;

    /// <summary>
    /// A fresh ActionLLM trained on one split's training videos, on the frozen --lm, or with --lm per-split on a base model
    /// pre-trained first on the action sequences of the same training videos (the test videos stay unread). With
    /// <paramref name="checkpoint"/>, the model is saved there after every epoch and a run found there is resumed. With
    /// <paramref name="validation"/> videos, the model is scored on them (MoC averaged over the protocol's cells) every
    /// <see cref="ValidationInterval"/> epochs and after the last, and the run's <see cref="ActionLlmTrainingRun.Stopping"/>
    /// keeps those epochs' weights for the caller to choose from; the model is returned as the last epoch left it.
    /// </summary>
    public ActionLlmTrainingRun Train(FrameLabelDataset dataset, IReadOnlyList<LabelledVideo> train, int split, ProgressTask task, string? checkpoint = null,
        IReadOnlyList<LabelledVideo>? validation = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int seed = Training.Seed * 100 + split;
        var resume = checkpoint is null ? null : ActionLlmCheckpoint.LoadTrainingState(checkpoint);
        var baseFolder = LmFolder.Replace("{split}", split.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        string? scratch = null;
        if (resume is not null)
        {
            baseFolder = Path.Combine(checkpoint!, ActionLlmCheckpoint.BaseFolderName);
            AnsiConsole.MarkupLine($"resuming [green]{Markup.Escape(checkpoint!)}[/] after epoch {resume.EpochsDone}");
        }
        else if (LmFolder == PerSplitBaseModel)
        {
            baseFolder = checkpoint is null ? scratch = Directory.CreateTempSubdirectory("streaming-lm-").FullName : Path.Combine(checkpoint, ActionLlmCheckpoint.BaseFolderName);
            PretrainBaseModel(dataset, train, split, task, baseFolder);
        }
        var baseModelTime = LmFolder == PerSplitBaseModel && resume is null ? clock.Elapsed : TimeSpan.Zero;
        var tokenizerPath = Path.Combine(baseFolder, "tokenizer.json");
        if (!Directory.Exists(baseFolder) || !File.Exists(tokenizerPath))
            throw new FileNotFoundException($"ActionLLM needs a base model folder with config.json, safetensors and tokenizer.json at {Path.GetFullPath(baseFolder)}; " +
                $"create one with `streaming train lm`, pass --lm {PerSplitBaseModel} or another Hugging Face checkpoint folder.", tokenizerPath);
        var model = new ActionLlm(HfCheckpoint.Load(baseFolder), Tokenizer.Load(tokenizerPath), dataset.Actions, Config, new Random(seed));
        if (scratch is not null) Directory.Delete(scratch, recursive: true);
        if (resume is not null) ActionLlmCheckpoint.ReadWeights(checkpoint!, model);
        var options = Training with { Seed = seed };
        var stopping = validation is { Count: > 0 } ? new ValidationStopping(model) : null;
        clock.Restart();
        ActionLlmTraining.Train(model, train, options, new InlineProgress<AnticipationProgress>(p =>
            {
                task.MaxValue = p.TotalSteps;
                task.Value = p.Step;
                task.Description = string.Create(CultureInfo.InvariantCulture, $"split {split}: ActionLLM epoch {p.Epoch}/{p.Epochs} loss {p.Loss:0.000} {p.ExamplesPerSecond:0} ex/s");
            }), resume,
            state =>
            {
                if (checkpoint is not null) ActionLlmCheckpoint.Save(checkpoint, model, baseFolder, options.StepsPerVideo, state);
                if (stopping is not null && (state.EpochsDone % ValidationInterval == 0 || state.EpochsDone == options.LastEpoch))
                {
                    model.Eval();
                    stopping.Observe(state.EpochsDone, Evaluate(model, validation!, dataset.Actions.Count).Average(c => c.Moc));
                }
            });
        return new ActionLlmTrainingRun(model, baseModelTime, clock.Elapsed, options.LastEpoch - (resume?.EpochsDone ?? 0), stopping);
    }
}

/// <summary>The command-line options that choose an <see cref="ActionLlmSetup"/>, shared by `eval lta` and `train anticipator`.</summary>
public sealed class ActionLlmOptions
{
    readonly Option<string> lm = new("--lm")
    {
        Description = $"ActionLLM's frozen base model: '{ActionLlmSetup.PerSplitBaseModel}' pre-trains one per split on the action sequences of its training " +
            "videos (as `streaming train lm --split K --corpus Sequences`), or a Hugging Face checkpoint folder with tokenizer.json (e.g. samples/lm); " +
            "{split} in the path stands for the split number (out/lm/split{split}).",
        DefaultValueFactory = _ => ActionLlmSetup.PerSplitBaseModel,
    };
    // Half of `train lm`'s steps: the per-split corpus is small and every split pays for its own base model.
    readonly Option<int> lmSteps = new("--lm-steps") { Description = "Optimizer steps of a per-split base model.", DefaultValueFactory = _ => 300 };
    readonly Option<int> lmWidth = new("--lm-width") { Description = "Hidden size of a per-split base model.", DefaultValueFactory = _ => new LanguageModelTrainingOptions().HiddenSize };
    readonly Option<int> lmLayers = new("--lm-layers") { Description = "Transformer layers of a per-split base model.", DefaultValueFactory = _ => new LanguageModelTrainingOptions().Layers };
    readonly Option<int> interactionWidth = new("--interaction-width")
    {
        Description = "D, the width of ActionLLM's cross-modality interaction block (the paper's 128).", DefaultValueFactory = _ => new ActionLlmConfig().InteractionWidth,
    };
    readonly Option<int> tuningWidth = new("--tuning-width")
    {
        Description = "The bottleneck of ActionLLM's action tuning, the adapter on the base model's output (the paper's 4).", DefaultValueFactory = _ => new ActionLlmConfig().TuningWidth,
    };
    readonly Option<float> dropout = new("--dropout") { Description = "Dropout in ActionLLM's adapters.", DefaultValueFactory = _ => new ActionLlmConfig().Dropout };
    readonly Option<int> epochs = new("--epochs") { Description = "ActionLLM training epochs.", DefaultValueFactory = _ => new ActionLlmTrainingOptions().Epochs };
    readonly Option<int> queries = new("--queries") { Description = "ActionLLM action queries N: the most future segments it predicts.", DefaultValueFactory = _ => new ActionLlmConfig().Queries };
    readonly Option<QueryInit> queryInit = new("--query-init") { Description = "Action query initialization: Constant (the paper's), Zero or Normal.", DefaultValueFactory = _ => QueryInit.Constant };
    readonly Option<int> stepsPerVideo = new("--steps-per-video") { Description = "Sampling: a video is seen as this many steps, whatever its length.", DefaultValueFactory = _ => new ActionLlmTrainingOptions().StepsPerVideo };
    readonly Option<float> learningRate = new("--learning-rate") { Description = "AdamW's peak learning rate (warm-up, then cosine decay to a twentieth).", DefaultValueFactory = _ => new ActionLlmTrainingOptions().LearningRate };
    readonly Option<double> minObserved = new("--min-observed") { Description = "Training observes each video up to a fraction drawn uniformly from [--min-observed, --max-observed].", DefaultValueFactory = _ => new ActionLlmTrainingOptions().MinObserved };
    readonly Option<double> maxObserved = new("--max-observed") { Description = "See --min-observed; a model that anticipates late in live activities wants this high.", DefaultValueFactory = _ => new ActionLlmTrainingOptions().MaxObserved };
    readonly Option<int> batchSize = new("--batch-size")
    {
        Description = "Observations per optimizer step: an epoch's observations grouped by length, each batch padded to its longest and run as one forward " +
            "(1: one at a time, the loss of each its own step).",
        DefaultValueFactory = _ => new ActionLlmTrainingOptions().BatchSize,
    };
    readonly Option<double> labelNoise = new("--label-noise") { Description = "Fraction of observed steps relabelled at random in training (robustness to recognition errors).", DefaultValueFactory = _ => new ActionLlmTrainingOptions().LabelNoise };
    readonly Option<bool> noCmib = new("--no-cmib") { Description = "Ablation: without the cross-modality interaction block." };
    readonly Option<bool> noTextLoss = new("--no-text-loss") { Description = "Ablation: without L_T, the past classifier's loss at the text positions." };
    readonly Option<bool> noVisual = new("--no-visual") { Description = "Ignore the dataset's visual features (features/<video>.npy, used when every video has them): labels only." };
    readonly Option<bool> noVisualLoss = new("--no-visual-loss") { Description = "Ablation: without L_V, the past classifier's loss at the visual positions." };
    readonly Option<bool> noDurationPrior = new("--no-duration-prior")
    {
        Description = "Ablation: the action in progress's remaining time from ActionLLM's first query, as in the paper, not from the durations of the training videos' runs.",
    };
    readonly Option<bool> noTransitionPrior = new("--no-transition-prior")
    {
        Description = "Ablation: decode each query's most likely class alone, as in the paper, not weighed by the training videos' transitions from the action before it.",
    };
    readonly Option<int> seed = new("--seed") { Description = "Seed for initialization, sampling and label noise.", DefaultValueFactory = _ => new ActionLlmTrainingOptions().Seed };

    bool seedAdded;

    /// <summary>Adds the options to <paramref name="command"/>; without <paramref name="withSeed"/> for a command that runs several seeds itself.</summary>
    public void AddTo(Command command, bool withSeed = true)
    {
        foreach (var option in new Option[] { lm, lmSteps, lmWidth, lmLayers, interactionWidth, tuningWidth, dropout, epochs, queries, queryInit, stepsPerVideo, learningRate, minObserved, maxObserved, batchSize, labelNoise, noCmib, noTextLoss, noVisual, noVisualLoss, noDurationPrior, noTransitionPrior })
            command.Options.Add(option);
        if (withSeed) command.Options.Add(seed);
        seedAdded = withSeed;
    }

    public ActionLlmSetup Setup(ParseResult parse) => new(
        parse.GetValue(lm)!,
        new LanguageModelTrainingOptions { Steps = parse.GetValue(lmSteps), HiddenSize = parse.GetValue(lmWidth), Layers = parse.GetValue(lmLayers) },
        new ActionLlmConfig
        {
            Queries = parse.GetValue(queries), QueryInit = parse.GetValue(queryInit), UseInteractionBlock = !parse.GetValue(noCmib),
            InteractionWidth = parse.GetValue(interactionWidth), TuningWidth = parse.GetValue(tuningWidth), Dropout = parse.GetValue(dropout),
        }.Validate(),
        new ActionLlmTrainingOptions
        {
            Epochs = parse.GetValue(epochs), StepsPerVideo = parse.GetValue(stepsPerVideo), LearningRate = parse.GetValue(learningRate),
            MinObserved = parse.GetValue(minObserved), MaxObserved = parse.GetValue(maxObserved), BatchSize = parse.GetValue(batchSize), LabelNoise = parse.GetValue(labelNoise),
            TextLoss = !parse.GetValue(noTextLoss), VisualLoss = !parse.GetValue(noVisualLoss), DurationPrior = !parse.GetValue(noDurationPrior),
            TransitionPrior = !parse.GetValue(noTransitionPrior),
            Seed = seedAdded ? parse.GetValue(seed) : new ActionLlmTrainingOptions().Seed,
        },
        !parse.GetValue(noVisual));
}
