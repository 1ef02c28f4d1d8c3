using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Streaming.Models.ActionSentences;
using Streaming.Models.Anticipation;
using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.LlmAr;
using Streaming.Models.Recognition;
using Streaming.Models.Tokenization;
using Streaming.Tensors.IO;
using Streaming.Tensors.Optim;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming train llm-ar</c>: the action-sentence tokenizer, then LoRA and the class head, on a skeleton dataset.</summary>
public static class TrainLlmArCommand
{
    public static Command Create()
    {
        var defaults = new LlmArTrainingOptions();
        var config = new LlmArConfig();
        var data = new Option<string>("--data") { Description = "The shared data folder that holds msr-action3d/ and utkinect-action3d/.", DefaultValueFactory = _ => DataFolder.Default() };
        var dataset = new Option<string>("--dataset") { Description = "msr-action3d (one clip per sequence; odd subjects train) or utkinect (windows of the continuous takes; --split's subjects train).", DefaultValueFactory = _ => "utkinect" };
        dataset.AcceptOnlyFromAmong("msr-action3d", "utkinect");
        var output = new Option<string>("--out") { Description = "Model folder, written after every epoch (llm-ar.json, llm-ar.safetensors, adapter/, action_sentences.*, base/); `streaming run --model` loads it.", DefaultValueFactory = _ => Path.Combine("samples", "llm-ar") };
        var lm = new Option<string>("--lm") { Description = "The frozen base language model: a Hugging Face LLaMA or Qwen2 folder with tokenizer.json.", DefaultValueFactory = _ => Path.Combine("samples", "lm") };
        var dimensions = new Option<int>("--dimensions") { Description = "3: (x, y, z), for layouts with depth (kinect20, ntu25); 2: the image-plane projection, which serves coco17 and every other layout.", DefaultValueFactory = _ => config.Dimensions };
        dimensions.AcceptOnlyFromAmong("2", "3");
        var frames = new Option<int>("--frames") { Description = "T: every clip is resampled to T frames, which become T/4 action tokens.", DefaultValueFactory = _ => config.Frames };
        var window = new Option<int>("--window") { Description = "utkinect: window length in skeleton frames; serve with the same Pipeline:WindowFrames.", DefaultValueFactory = _ => 30 };
        var hop = new Option<int>("--hop") { Description = "utkinect: frames between the ends of consecutive training windows.", DefaultValueFactory = _ => 3 };
        var split = new Option<int>("--split") { Description = "utkinect: subject split 1-10 of derived/tr_te_splits_random10.txt (the demo's is 1).", DefaultValueFactory = _ => 1 };
        var tokenizerSteps = new Option<int>("--tokenizer-steps") { Description = "Optimizer steps of the tokenizer stage (batches of 32 clips); a checkpoint after every epoch.", DefaultValueFactory = _ => defaults.TokenizerSteps };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps of the LoRA stage (batches of 16 clips); a checkpoint after every epoch.", DefaultValueFactory = _ => defaults.Steps };
        var rank = new Option<int>("--lora-rank") { Description = "LoRA rank r on every attention and MLP projection (alpha 16).", DefaultValueFactory = _ => config.LoraRank };
        var noLora = new Option<bool>("--no-lora") { Description = "Ablation: train the class head only; the language model stays as it was pre-trained." };
        var readout = new Option<LlmArReadout>("--readout") { Description = "How the served model scores classes: ClassHead (one forward per window) or LabelLikelihood (each label's log-likelihood; K rows per window).", DefaultValueFactory = _ => config.Readout };
        var seed = new Option<int>("--seed") { Description = "Seed for initialization, augmentation and shuffling.", DefaultValueFactory = _ => defaults.Seed };
        var resume = new Option<bool>("--resume") { Description = "Continue the run whose checkpoint is in --out from its last finished epoch." };
        var command = new Command("llm-ar",
            "Trains LLM-AR (docs/methods.md): an action-sentence tokenizer (VQ-VAE with a Poincare-ball codebook) on the dataset's clips, then LoRA and a class " +
            "head on the frozen base language model reading [instruction with the labels; action sentence; \"Answer: \"]. Prints test accuracy with both " +
            "readouts. For utkinect the folder also gets the transition anticipator of the same training takes, so `streaming run` anticipates too.")
        {
            data, dataset, output, lm, dimensions, frames, window, hop, split, tokenizerSteps, steps, rank, noLora, readout, seed, resume,
        };
        command.SetAction(parse =>
        {
            var options = defaults with { TokenizerSteps = parse.GetValue(tokenizerSteps), Steps = parse.GetValue(steps), Seed = parse.GetValue(seed) };
            var model = config with
            {
                Dimensions = parse.GetValue(dimensions), Frames = parse.GetValue(frames), LoraRank = parse.GetValue(rank), UseLora = !parse.GetValue(noLora),
                Readout = parse.GetValue(readout),
            };
            var name = parse.GetValue(dataset)!;
            var root = parse.GetValue(data)!;
            return Run(root, name, parse.GetValue(window), parse.GetValue(hop), parse.GetValue(split), parse.GetValue(lm)!, parse.GetValue(output)!, model, options, parse.GetValue(resume));
        });
        return command;
    }

    static int Run(string data, string dataset, int window, int hop, int split, string lmFolder, string outDir, LlmArConfig config, LlmArTrainingOptions options, bool resume)
    {
        if (dataset == "utkinect" && (window < 2 || hop < 1)) throw new ArgumentException($"train llm-ar: --window must be at least 2 and --hop at least 1 (got {window} and {hop}).");
        var clock = Stopwatch.StartNew();
        RecognitionSplit splitData;
        if (dataset == "msr-action3d")
        {
            splitData = RecognitionSplit.MsrCrossSubject(Path.Combine(data, "msr-action3d"), config.Dimensions);
            config = config with { Sequence = LlmArSequence.Take };
        }
        else
        {
            splitData = RecognitionSplit.UtKinectWindows(Path.Combine(data, "utkinect-action3d"), config.Dimensions, window, hop, split);
            config = config with { Sequence = LlmArSequence.Window, WindowFrames = window };
        }
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{splitData.Dataset}, {splitData.Protocol}: {splitData.Train.Count} training clips, {splitData.Test.Count} test clips, {splitData.Labels.Count} actions; {config.Dimensions}-D, T = {config.Frames}")));

        if (!resume && Directory.Exists(outDir))
            foreach (var stale in new[] { LlmArCheckpoint.ConfigFile, LlmArCheckpoint.TrainingStateFile, LlmArCheckpoint.TokenizerStateFile, ActionSentenceTokenizer.ConfigFile })
                File.Delete(Path.Combine(outDir, stale));
        Directory.CreateDirectory(outDir);
        LlmArCheckpoint.CopyBase(outDir, lmFolder);
        var baseFolder = Path.Combine(outDir, LlmArCheckpoint.BaseFolder);
        var lm = HfCheckpoint.Load(baseFolder);
        var text = Tokenizer.Load(Path.Combine(baseFolder, "tokenizer.json"));

        // Stage 1: the tokenizer, resumed from its last epoch when asked.
        var tokenizerState = resume ? LlmArCheckpoint.LoadTokenizerState(outDir) : null;
        bool tokenizerDone = resume && File.Exists(Path.Combine(outDir, ActionSentenceTokenizer.ConfigFile)) && tokenizerState is null;
        var sentences = tokenizerDone || tokenizerState is not null
            ? ActionSentenceTokenizer.Load(outDir)
            : new ActionSentenceTokenizer(ActionSentenceConfig.ForLanguageModel(lm.Config, Streaming.Models.Skeletons.CanonicalSkeleton.JointCount * config.Dimensions), new Random(options.Seed));
        int tokenizerEpochs = LlmArTraining.TokenizerEpochs(splitData.Train.Count, options);
        if (!tokenizerDone)
        {
            var optimizer = LlmArTraining.TokenizerOptimizer(sentences, options);
            tokenizerState?.Restore(optimizer);
            Stage(task => LlmArTraining.TrainTokenizer(sentences, [.. splitData.Train.Select(c => c.Clip)], config.Frames, lm.EmbedTokens, options, optimizer,
                tokenizerState?.EpochsDone ?? 0, (epoch, o) => LlmArCheckpoint.SaveTokenizer(outDir, sentences, epoch, epoch < tokenizerEpochs ? o : null), task));
        }
        sentences.Eval();

        // Stage 2: LoRA and the head, resumed from the last finished epoch when asked.
        var state = resume && LlmArCheckpoint.IsFolder(outDir) ? LlmArCheckpoint.LoadTrainingState(outDir) : null;
        var model = state is not null ? LlmArCheckpoint.Load(outDir) : new LlmArRecognizer(lm, text, sentences, splitData.Labels, config, new Random(options.Seed));
        if (state is null && resume && LlmArCheckpoint.IsFolder(outDir))
            AnsiConsole.MarkupLine("[grey]the recognizer stage had finished; evaluating[/]");
        else
        {
            var optimizer = LlmArTraining.RecognizerOptimizer(model, options);
            int epochs = LlmArTraining.RecognizerEpochs(splitData.Train.Count, options);
            state?.Restore(optimizer);
            Stage(task => LlmArTraining.TrainRecognizer(model, splitData.Train, options, optimizer, state?.EpochsDone ?? 0,
                (epoch, o) => LlmArCheckpoint.Save(outDir, model, splitData.Dataset, epoch, epoch < epochs ? o : null), task));
        }
        if (dataset == "utkinect") WriteAnticipator(Path.Combine(data, "utkinect-action3d"), split, outDir);

        var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(splitData.Dataset)}: test accuracy ({Markup.Escape(splitData.Protocol)})");
        table.AddColumn("readout");
        table.AddColumn(new TableColumn("accuracy").RightAligned());
        table.AddColumn(new TableColumn("ms per clip").RightAligned());
        foreach (var readout in Enum.GetValues<LlmArReadout>())
        {
            var timer = Stopwatch.StartNew();
            var (accuracy, _) = LlmArTraining.Evaluate(model, splitData.Test, readout);
            table.AddRow(readout.ToString(), accuracy.ToString("P1", CultureInfo.InvariantCulture),
                (timer.Elapsed.TotalMilliseconds / Math.Max(1, splitData.Test.Count)).ToString("0.00", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"saved [green]{Markup.Escape(Path.GetFullPath(outDir))}[/] in {clock.Elapsed.TotalSeconds:0} s"));
        return 0;
    }

    /// <summary>The transition anticipator of the training takes, on the recognizer's labels, so the served model anticipates.</summary>
    static void WriteAnticipator(string root, int split, string outDir)
    {
        var subjects = UtKinect.TrainSubjects(root, split);
        var takes = UtKinect.Load(root).Where(r => subjects.Contains(r.Subject));
        TransitionAnticipator.Train(takes.Select(UtKinectBaseline.Runs), UtKinect.ActionNames(root)).Save(Path.Combine(outDir, "anticipator.json"));
    }

    static void Stage(Action<IProgress<LlmArProgress>> run) =>
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1);
                run(new InlineProgress<LlmArProgress>(p =>
                {
                    task.MaxValue = p.Steps;
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{p.Stage} epoch {p.Epoch}/{p.Epochs} loss {p.Loss:0.000} {p.StepsPerSecond:0.0} steps/s");
                }));
            });
}
