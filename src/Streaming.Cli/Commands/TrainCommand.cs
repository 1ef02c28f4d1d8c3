using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Streaming.Models.Anticipation;
using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Recognition;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming train ...</c>: trains the models the pipeline runs, on the datasets in ../shared/data.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var train = new Command("train", "Train the models the pipeline runs on the datasets in ../shared/data (or $STREAMING_DATA).");
        train.Subcommands.Add(Baseline());
        train.Subcommands.Add(SkeletonMlp());
        train.Subcommands.Add(LanguageModel());
        train.Subcommands.Add(Anticipator());
        train.Subcommands.Add(TrainLlmArCommand.Create());
        train.Subcommands.Add(TrainLlmArCommand.CreateVtem());
        return train;
    }

    static Command Baseline()
    {
        var defaults = new BaselineOptions();
        var data = new Option<string>("--data") { Description = "The shared data folder that holds utkinect-action3d/.", DefaultValueFactory = _ => DataFolder.Default() };
        var output = new Option<string>("--out") { Description = "Folder for pose-classifier.safetensors and anticipator.json.", DefaultValueFactory = _ => Path.Combine("samples", "baseline") };
        var split = new Option<int>("--split") { Description = "UTKinect subject split 1-10 (derived/tr_te_splits_random10.txt): its five subjects train, the other five test.", DefaultValueFactory = _ => defaults.Split };
        var window = new Option<int>("--window") { Description = "Window length in skeleton frames; use the same in the pipeline.", DefaultValueFactory = _ => defaults.WindowFrames };
        var hop = new Option<int>("--hop") { Description = "Frames between the ends of consecutive training windows.", DefaultValueFactory = _ => defaults.Hop };
        var command = new Command("baseline",
            "Trains the baseline recognizer (logistic regression over normalized joint statistics of a window) and anticipator (first-order " +
            "action transitions with mean durations) on UTKinect-Action3D, prints accuracy on the held-out subjects and saves both.")
        {
            data, output, split, window, hop,
        };
        command.SetAction(parse =>
        {
            var options = new BaselineOptions(parse.GetValue(window), parse.GetValue(hop), parse.GetValue(split));
            return RunBaseline(Path.Combine(parse.GetValue(data)!, "utkinect-action3d"), parse.GetValue(output)!, options);
        });
        return command;
    }

    static Command SkeletonMlp()
    {
        var data = new Option<string>("--data") { Description = "The shared data folder that holds msr-action3d/.", DefaultValueFactory = _ => DataFolder.Default() };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => new SkeletonTrainingOptions().Epochs };
        var seed = new Option<int>("--seed") { Description = "Seed for initialization, shuffling and dropout.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = $"Folder for {SkeletonMlpClassifier.WeightsFile} and {SkeletonMlpClassifier.ConfigFile}, which `streaming run --model` and `streaming demo --dataset msr-action3d` load.", DefaultValueFactory = _ => Path.Combine("samples", "mlp") };
        var command = new Command("mlp",
            "Trains a 2-layer MLP skeleton classifier on MSR Action3D with the engine's autograd (cross-subject: odd subjects train, even test, " +
            "the 557 sequences of Wang et al. 2012), prints the test accuracy per action and saves the model with its feature settings and " +
            "standardization: the tensor engine end to end on real data, and the recognizer of the MSR Action3D demo.")
        {
            data, epochs, seed, output,
        };
        command.SetAction(parse => RunMlp(Path.Combine(parse.GetValue(data)!, "msr-action3d"), parse.GetValue(epochs), parse.GetValue(seed), parse.GetValue(output)!));
        return command;
    }

    static Command LanguageModel()
    {
        var defaults = new LanguageModelTrainingOptions();
        var data = new Option<string>("--data") { Description = "The shared data folder that holds the frame-label datasets.", DefaultValueFactory = _ => DataFolder.Default() };
        var datasets = new Option<string>("--datasets") { Description = "Comma-separated frame-label datasets under --data (groundTruth/, mapping.txt, splits/) whose action sequences are the corpus's Sequences.", DefaultValueFactory = _ => "50salads" };
        var corpus = new Option<CorpusParts>("--corpus")
        {
            Description = "Comma-separated parts of the corpus: Sequences (the action sequences of --datasets), and for the skeleton datasets (msr-action3d, " +
                "utkinect-action3d) their action Names, Descriptions and LLM-AR's Instructions with answers; All by default.",
            DefaultValueFactory = _ => CorpusParts.All,
        };
        var split = new Option<int>("--split") { Description = "0: every video. K: only split K's training videos of --datasets, so that a model evaluated on split K never read its test videos.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Folder for the Hugging Face checkpoint: config.json, model.safetensors, tokenizer.json.", DefaultValueFactory = _ => Path.Combine("samples", "lm") };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps.", DefaultValueFactory = _ => defaults.Steps };
        var width = new Option<int>("--width") { Description = "hidden_size of the decoder.", DefaultValueFactory = _ => defaults.HiddenSize };
        var layers = new Option<int>("--layers") { Description = "num_hidden_layers.", DefaultValueFactory = _ => defaults.Layers };
        var vocab = new Option<int>("--vocab") { Description = "Largest byte-level BPE vocabulary (it stops early when no pair repeats).", DefaultValueFactory = _ => defaults.VocabularySize };
        var seed = new Option<int>("--seed") { Description = "Seed for initialization and sampling.", DefaultValueFactory = _ => defaults.Seed };
        var command = new Command("lm",
            "Pre-trains the small base language model from scratch on action sequences (sequences of actions are a language of their own) and the " +
            "skeleton datasets' action names, descriptions and recognition instructions: a byte-level BPE tokenizer and a LLaMA-architecture decoder " +
            "(GQA, RoPE, SwiGLU, tied embeddings), saved as a Hugging Face checkpoint that `streaming lm`, `eval lta --lm` and transformers load.")
        {
            data, datasets, corpus, split, output, steps, width, layers, vocab, seed,
        };
        command.SetAction(parse =>
        {
            var options = defaults with
            {
                Steps = parse.GetValue(steps), HiddenSize = parse.GetValue(width), Layers = parse.GetValue(layers),
                VocabularySize = parse.GetValue(vocab), Seed = parse.GetValue(seed),
            };
            var names = parse.GetValue(datasets)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return RunLanguageModel(parse.GetValue(data)!, names, parse.GetValue(corpus), parse.GetValue(split), parse.GetValue(output)!, options);
        });
        return command;
    }

    static Command Anticipator()
    {
        var data = new Option<string>("--data") { Description = "A dataset in the frame-label layout (groundTruth/, mapping.txt, splits/).", DefaultValueFactory = _ => Path.Combine(DataFolder.Default(), "50salads") };
        var split = new Option<int>("--split") { Description = "Train on split K's training videos and score its test videos.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Checkpoint folder, written after every epoch: anticipator.json, anticipator.safetensors, base/, training-state.safetensors.", DefaultValueFactory = _ => Path.Combine("samples", "anticipator") };
        var resume = new Option<bool>("--resume") { Description = "Continue the run whose checkpoint is in --out from its last finished epoch." };
        var actionLlm = new ActionLlmOptions();
        var command = new Command("anticipator",
            "Trains ActionLLM (docs/methods.md) for long-term action anticipation on one split of a frame-label dataset, on a frozen base language " +
            "model, saving a checkpoint after every epoch; then scores the split's test videos with the anticipation protocol (see `eval lta`). " +
            "The pipeline's model stage loads the checkpoint (--anticipator).")
        {
            data, split, output, resume,
        };
        actionLlm.AddTo(command);
        command.SetAction(parse => RunAnticipator(parse.GetValue(data)!, parse.GetValue(split), parse.GetValue(output)!, parse.GetValue(resume), actionLlm.Setup(parse)));
        return command;
    }

    static int RunAnticipator(string root, int split, string outDir, bool resume, ActionLlmSetup setup)
    {
        var dataset = FrameLabelDataset.Open(root);
        var (train, test) = dataset.Split(split);
        bool found = File.Exists(Path.Combine(outDir, ActionLlmCheckpoint.TrainingStateFileName));
        if (found && !resume)
            throw new InvalidOperationException($"train anticipator: {Path.GetFullPath(outDir)} holds a run already; pass --resume to continue it or choose another --out.");
        if (!found && resume)
            throw new FileNotFoundException($"train anticipator --resume: no {ActionLlmCheckpoint.TrainingStateFileName} in {Path.GetFullPath(outDir)}.");
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(Path.GetFullPath(root)))}[/] split {split}: {train.Count} training videos, {test.Count} test videos, {dataset.Actions.Count} actions");
        (setup, var inputs) = setup.For(dataset);
        AnsiConsole.WriteLine(inputs);
        ActionLlmTrainingRun? run = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => run = setup.Train(dataset, train, split, ctx.AddTask($"split {split}", maxValue: 1), outDir));
        AnsiConsole.MarkupLine($"trained: {Markup.Escape(ActionLlmTrainingRun.Describe([run!]))}; checkpoint [green]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        var cells = setup.Evaluate(run!.Model, test, dataset.Actions.Count);
        MocReport.Write($"MoC (%) on split {split}'s test videos", new Dictionary<string, List<List<IReadOnlyList<MocCell>>>> { ["actionllm"] = [[cells]] }, null, null);
        return 0;
    }

    static int RunLanguageModel(string data, IReadOnlyList<string> names, CorpusParts parts, int split, string outDir, LanguageModelTrainingOptions options)
    {
        var documents = new List<string>();
        if (parts.HasFlag(CorpusParts.Sequences))
            foreach (var name in names)
            {
                var dataset = FrameLabelDataset.Open(Path.Combine(data, name));
                var videos = split == 0 ? dataset.AllVideos() : dataset.Split(split).Train;
                documents.AddRange(ActionCorpus.Documents(videos, dataset.Actions));
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]: {videos.Count} videos ({(split == 0 ? "all" : $"split {split} training")}), {dataset.Actions.Count} actions");
            }
        var skeletonParts = parts & ~CorpusParts.Sequences;
        IReadOnlyList<(string Name, IReadOnlyList<string> Labels)> skeletonLabels =
            skeletonParts == CorpusParts.None ? [] : [.. SkeletonCorpus.Datasets.Select(d => (d, SkeletonCorpus.Labels(data, d)))];
        foreach (var (name, labels) in skeletonLabels)
        {
            documents.AddRange(SkeletonCorpus.Documents(labels, skeletonParts));
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]: {labels.Count} actions ({skeletonParts})");
        }
        TrainedLanguageModel? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("base LM", maxValue: options.Steps);
                result = LanguageModelTraining.Train(documents, options, new InlineProgress<LanguageModelProgress>(p =>
                {
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"base LM loss {p.Loss:0.000} {p.TokensPerSecond:0} tok/s");
                }));
            });
        var trained = result!;
        var config = trained.Model.Config;
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"corpus {trained.CorpusTokens} tokens, vocabulary {config.VocabSize}; {config.NumHiddenLayers} layers x {config.HiddenSize}, " +
            $"{trained.Model.ParameterCount():N0} parameters; loss {trained.FirstLoss:0.000} -> {trained.FinalLoss:0.000} in {trained.Elapsed.TotalSeconds:0.0} s"));
        // LLM-AR reads each label after a space (", label" in the instruction, "Answer: label"); fewer tokens, shorter prompts.
        var tokenizer = trained.Tokenizer.ToTokenizer();
        foreach (var (name, labels) in skeletonLabels)
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"{Markup.Escape(name)}: {labels.Average(l => tokenizer.Encode(" " + ActionCorpus.Phrase(l), addSpecialTokens: false).Count):0.00} tokens per label, " +
                $"instruction {tokenizer.Encode(ActionInstruction.For(labels), addSpecialTokens: false).Count} tokens"));
        trained.Save(outDir);
        AnsiConsole.MarkupLine($"saved [green]{Markup.Escape(Path.GetFullPath(outDir))}[/] (config.json, model.safetensors, tokenizer.json)");
        return 0;
    }

    static int RunMlp(string root, int epochs, int seed, string outDir)
    {
        AnsiConsole.MarkupLine($"[bold]MSR Action3D[/] from [grey]{Markup.Escape(Path.GetFullPath(root))}[/]");
        var samples = MsrAction3D.Load(root);
        var names = MsrAction3D.ActionNames(root);
        SkeletonTrainingResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: 1);
                result = SkeletonClassifierTraining.Run(samples, new SkeletonTrainingOptions(Epochs: epochs, Seed: seed), new InlineProgress<TrainingProgress>(p =>
                {
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:0.000} {p.StepsPerSecond:0} steps/s");
                }), names);
            });
        var r = result!;
        var table = new Table().Border(TableBorder.Rounded).Title("test accuracy per action (even subjects)");
        table.AddColumn("action");
        table.AddColumn(new TableColumn("accuracy").RightAligned());
        for (int c = 0; c < r.TestAccuracyPerClass.Length; c++)
            table.AddRow(Markup.Escape(names[c]), r.TestAccuracyPerClass[c].ToString("P0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]cross-subject accuracy:[/] test {r.TestAccuracy:P1} ({r.TestSamples} sequences), train {r.TrainAccuracy:P1} ({r.TrainSamples}); {r.Elapsed.TotalSeconds:0.0} s"));
        r.Classifier.Save(outDir);
        AnsiConsole.MarkupLine($"saved [green]{Markup.Escape(Path.GetFullPath(outDir))}[/] ({SkeletonMlpClassifier.WeightsFile}, {SkeletonMlpClassifier.ConfigFile})");
        return 0;
    }

    static int RunBaseline(string root, string outDir, BaselineOptions options)
    {
        if (options.WindowFrames < 2 || options.Hop < 1)
            throw new ArgumentException($"train baseline: --window must be at least 2 and --hop at least 1 (got {options.WindowFrames} and {options.Hop}).");
        AnsiConsole.MarkupLine($"[bold]UTKinect-Action3D[/] from [grey]{Markup.Escape(Path.GetFullPath(root))}[/], split {options.Split}");
        BaselineResult? result = null;
        int steps = (options.Classifier ?? new PoseClassifierOptions()).Steps;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: steps);
                result = UtKinectBaseline.Train(root, options, new InlineProgress<(int Step, float Loss)>(p =>
                {
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"pose classifier, loss {p.Loss:0.000}");
                }));
            });
        var r = result!;
        var table = new Table().Border(TableBorder.Rounded).Title("test accuracy per action (windows of the held-out subjects)");
        table.AddColumn("action");
        table.AddColumn(new TableColumn("accuracy").RightAligned());
        table.AddColumn(new TableColumn("mean duration").RightAligned());
        table.AddColumn("most likely next");
        var labels = r.Classifier.Labels;
        for (int c = 0; c < labels.Count; c++)
        {
            var row = r.Anticipator.Transitions[c];
            int next = Array.IndexOf(row, row.Max());
            table.AddRow(Markup.Escape(labels[c]), r.TestAccuracyPerClass[c].ToString("P0", CultureInfo.InvariantCulture),
                r.Anticipator.MeanDurations[c].ToString("0.0 s", CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"{Markup.Escape(labels[next])} ({row[next]:P0})"));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]window accuracy:[/] test {r.TestAccuracy:P1} ({r.TestWindows} windows), train {r.TrainAccuracy:P1} ({r.TrainWindows}); {r.Elapsed.TotalSeconds:0.0} s"));
        Directory.CreateDirectory(outDir);
        var classifierPath = Path.Combine(outDir, "pose-classifier.safetensors");
        var anticipatorPath = Path.Combine(outDir, "anticipator.json");
        r.Classifier.Save(classifierPath);
        r.Anticipator.Save(anticipatorPath);
        AnsiConsole.MarkupLine($"saved [green]{Markup.Escape(classifierPath)}[/] and [green]{Markup.Escape(anticipatorPath)}[/]");
        return 0;
    }
}
