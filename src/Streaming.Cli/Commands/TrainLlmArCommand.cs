using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;
using Streaming.Models.EventTokens;
using Streaming.Models.LlmAr;
using Streaming.Models.Recognition;

namespace Streaming.Cli.Commands;

/// <summary>
/// <c>streaming train llm-ar</c> (action sentences, then LoRA and the class head) and <c>streaming train vtem</c> (event
/// tokens, then P-Tuning v2's prompts and the class head) on a skeleton dataset: one command with two sets of defaults,
/// so any tokenizer can go with any adapter.
/// </summary>
public static class TrainLlmArCommand
{
    public static Command Create() => Create("llm-ar", new LlmArConfig(), Path.Combine("samples", "llm-ar"),
        "Trains LLM-AR (docs/methods.md): an action-sentence tokenizer (VQ-VAE with a Poincare-ball codebook) on the dataset's clips, then LoRA and a class " +
        "head on the frozen base language model reading [instruction with the labels; action sentence; \"Answer: \"].");

    public static Command CreateVtem() => Create("vtem", new LlmArConfig { Tokenizer = LlmArTokenizer.EventTokens, Adapter = LlmArAdapter.PTuningV2 }, Path.Combine("samples", "vtem"),
        "Trains VT-LVLM-AR (docs/methods.md): VTEM's event tokenizer (saliency-pooled segments of per-frame positions and velocities, each quantized to " +
        "one of K codes, trained on reconstruction and InfoNCE between neighbouring segments) on the dataset's clips, then P-Tuning v2's prompts at every " +
        "layer and a class head on the frozen base language model reading [prompts; instruction with the labels; event tokens; \"Answer: \"].");

    static Command Create(string name, LlmArConfig config, string defaultOut, string description)
    {
        var defaults = new LlmArTrainingOptions();
        var data = new Option<string>("--data") { Description = "The shared data folder that holds msr-action3d/ and utkinect-action3d/.", DefaultValueFactory = _ => DataFolder.Default() };
        var dataset = new Option<string>("--dataset") { Description = "msr-action3d (one clip per sequence; odd subjects train) or utkinect (windows of the continuous takes; --split's subjects train).", DefaultValueFactory = _ => "utkinect" };
        dataset.AcceptOnlyFromAmong("msr-action3d", "utkinect");
        var output = new Option<string>("--out") { Description = "Model folder, written after every epoch (llm-ar.json, llm-ar.safetensors, adapter/, the tokenizer's files, base/); `streaming run --model` loads it.", DefaultValueFactory = _ => defaultOut };
        var tokenizer = new Option<string>("--tokenizer")
        {
            Description = "What turns a clip into tokens: action-sentences (LLM-AR: T/4 tokens from a VQ-VAE with a Poincare-ball codebook) or event-tokens " +
                "(VTEM: --segments saliency-pooled segments, --codes codes).",
            DefaultValueFactory = _ => ObservationTokenizers.Kind(config.Tokenizer),
        };
        tokenizer.AcceptOnlyFromAmong([.. ObservationTokenizers.Kinds]);
        var segments = new Option<int>("--segments") { Description = "event-tokens: M, the event tokens (segments) per clip; clips need at least M frames.", DefaultValueFactory = _ => new EventTokenConfig { Inputs = 1 }.Segments };
        var codes = new Option<int>("--codes") { Description = "event-tokens: K, the codebook's size.", DefaultValueFactory = _ => new EventTokenConfig { Inputs = 1 }.Codes };
        var lm = new Option<string>("--lm") { Description = "The frozen base language model: a Hugging Face LLaMA or Qwen2 folder with tokenizer.json.", DefaultValueFactory = _ => Path.Combine("samples", "lm") };
        var dimensions = new Option<int>("--dimensions") { Description = "3: (x, y, z), for layouts with depth (kinect20, ntu25); 2: the image-plane projection, which serves coco17 and every other layout.", DefaultValueFactory = _ => config.Dimensions };
        dimensions.AcceptOnlyFromAmong("2", "3");
        var frames = new Option<int>("--frames") { Description = "T: every clip is resampled to T frames, which become T/4 action sentences' tokens or M event tokens.", DefaultValueFactory = _ => config.Frames };
        var window = new Option<int>("--window") { Description = "utkinect: window length in skeleton frames; the folder records it, and the service windows with it (Pipeline:WindowFrames 0, the default).", DefaultValueFactory = _ => 30 };
        var hop = new Option<int>("--hop") { Description = "utkinect: frames between the ends of consecutive training windows.", DefaultValueFactory = _ => 3 };
        var split = new Option<int>("--split") { Description = "utkinect: subject split 1-10 of derived/tr_te_splits_random10.txt (the demo's is 1).", DefaultValueFactory = _ => 1 };
        var tokenizerSteps = new Option<int>("--tokenizer-steps") { Description = "Optimizer steps of the tokenizer stage (batches of 32 clips); a checkpoint after every epoch.", DefaultValueFactory = _ => defaults.TokenizerSteps };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps of the LoRA stage (batches of 16 clips); a checkpoint after every epoch.", DefaultValueFactory = _ => defaults.Steps };
        var learningRate = new Option<float?>("--learning-rate")
        {
            Description = string.Create(CultureInfo.InvariantCulture,
                $"Peak learning rate of the recognizer stage (warm-up, then cosine to a twentieth); by default {defaults.LearningRate} with LoRA or none, {defaults.PromptLearningRate} with P-Tuning v2."),
        };
        var rank = new Option<int>("--lora-rank") { Description = "LoRA rank r on every attention and MLP projection (alpha 16).", DefaultValueFactory = _ => config.LoraRank };
        var adapter = new Option<string>("--adapter")
        {
            Description = "What adapts the frozen language model: lora (rank --lora-rank on every attention and MLP projection), p-tuning-v2 (--prompts learned " +
                "key/value prompts at every layer) or none (ablation: the action tokens' embeddings and the class head only).",
            DefaultValueFactory = _ => AdapterName(config.Adapter),
        };
        adapter.AcceptOnlyFromAmong([.. Enum.GetValues<LlmArAdapter>().Select(AdapterName)]);
        var prompts = new Option<int>("--prompts") { Description = "p-tuning-v2: L, the learned prompts at every layer.", DefaultValueFactory = _ => config.PromptTokens };
        var readout = new Option<LlmArReadout>("--readout") { Description = "How the served model scores classes: ClassHead (one forward per window) or LabelLikelihood (each label's log-likelihood; K rows per window).", DefaultValueFactory = _ => config.Readout };
        var seed = new Option<int>("--seed") { Description = "Seed for initialization, augmentation and shuffling.", DefaultValueFactory = _ => defaults.Seed };
        var resume = new Option<bool>("--resume") { Description = "Continue the run whose checkpoint is in --out from its last finished epoch." };
        var command = new Command(name, description + " --tokenizer and --adapter pick any pairing. Prints test accuracy with both readouts and the " +
            "trained parameter count. For utkinect the folder also gets the transition anticipator of the same training takes, so `streaming run` anticipates too.")
        {
            data, dataset, output, lm, dimensions, frames, window, hop, split, tokenizer, segments, codes, tokenizerSteps, steps, learningRate, rank, adapter, prompts, readout, seed, resume,
        };
        command.SetAction(parse =>
        {
            var options = defaults with { TokenizerSteps = parse.GetValue(tokenizerSteps), Steps = parse.GetValue(steps), Seed = parse.GetValue(seed) };
            if (parse.GetValue(learningRate) is { } rate) options = options with { LearningRate = rate, PromptLearningRate = rate };
            var model = config with
            {
                Dimensions = parse.GetValue(dimensions), Frames = parse.GetValue(frames), LoraRank = parse.GetValue(rank),
                Adapter = Enum.GetValues<LlmArAdapter>().Single(a => AdapterName(a) == parse.GetValue(adapter)), PromptTokens = parse.GetValue(prompts),
                Tokenizer = Enum.GetValues<LlmArTokenizer>().Single(t => ObservationTokenizers.Kind(t) == parse.GetValue(tokenizer)),
                Readout = parse.GetValue(readout),
            };
            model.Validate();
            var name = parse.GetValue(dataset)!;
            var root = parse.GetValue(data)!;
            int m = parse.GetValue(segments), k = parse.GetValue(codes);
            return Run(root, name, parse.GetValue(window), parse.GetValue(hop), parse.GetValue(split), parse.GetValue(lm)!, parse.GetValue(output)!, model, options,
                c => c with { Segments = m, Codes = k }, parse.GetValue(resume));
        });
        return command;
    }

    static int Run(string data, string dataset, int window, int hop, int split, string lmFolder, string outDir, LlmArConfig config, LlmArTrainingOptions options,
        Func<EventTokenConfig, EventTokenConfig> events, bool resume)
    {
        if (dataset == "utkinect" && (window < 2 || hop < 1)) throw new ArgumentException($"train: --window must be at least 2 and --hop at least 1 (got {window} and {hop}).");
        if (config.Tokenizer == LlmArTokenizer.EventTokens) events(new EventTokenConfig { Inputs = 1 }).Validate();
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

        var checkpointing = LlmArCheckpointing.Folder(outDir, lmFolder, splitData.Dataset, config.Tokenizer, resume);
        if (checkpointing is { Recognizer: not null, RecognizerState: null })
            AnsiConsole.MarkupLine("[grey]the recognizer stage had finished; evaluating[/]");
        var run = Stages(progress => LlmArExperiment.Train(Path.Combine(outDir, LlmArCheckpoint.BaseFolder), splitData, config, options,
            checkpointing: checkpointing, progress: progress, events: events));
        var model = run.Model;
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
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{model.Method}: {model.Observations.Kind} ({model.SentenceLength} tokens per clip, {model.Observations.Codes} codes), adapter {AdapterName(model.Config.Adapter)}; {model.TrainedParameterCount:N0} values trained in the recognizer stage")));
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"saved [green]{Markup.Escape(Path.GetFullPath(outDir))}[/] in {clock.Elapsed.TotalSeconds:0} s (tokenizer {run.TokenizerTime.TotalSeconds:0} s, recognizer {run.RecognizerTime.TotalSeconds:0} s)"));
        return 0;
    }

    /// <summary>The adapter's name on the command line.</summary>
    public static string AdapterName(LlmArAdapter adapter) => adapter switch
    {
        LlmArAdapter.Lora => "lora",
        LlmArAdapter.PTuningV2 => "p-tuning-v2",
        LlmArAdapter.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(adapter), adapter, null),
    };

    /// <summary>The transition anticipator of the training takes, on the recognizer's labels, so the served model anticipates.</summary>
    static void WriteAnticipator(string root, int split, string outDir)
    {
        var subjects = UtKinect.TrainSubjects(root, split);
        var takes = UtKinect.Load(root).Where(r => subjects.Contains(r.Subject));
        TransitionAnticipator.Train(takes.Select(UtKinectBaseline.Runs), UtKinect.ActionNames(root)).Save(Path.Combine(outDir, "anticipator.json"));
    }

    /// <summary>Runs both stages under one progress display, a bar per stage as it starts.</summary>
    static T Stages<T>(Func<IProgress<LlmArProgress>, T> run) =>
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                return run(new InlineProgress<LlmArProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task)) tasks[p.Stage] = task = ctx.AddTask(p.Stage, maxValue: p.Steps);
                    task.MaxValue = p.Steps;
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{p.Stage} epoch {p.Epoch}/{p.Epochs} loss {p.Loss:0.000} {p.StepsPerSecond:0.0} steps/s");
                }));
            });
}
