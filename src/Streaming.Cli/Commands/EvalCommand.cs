using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Streaming.Cli.Bench;
using Streaming.Models.Anticipation;
using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.LlmAr;
using Streaming.Models.Recognition;
using Streaming.Models.Tokenization;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming eval ...</c>: the published evaluation protocols, as tables, JSON (docs/results-format.md) and CSV.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var eval = new Command("eval", "Evaluate models with the published protocols; print the tables and optionally write JSON and CSV.");
        eval.Subcommands.Add(LongTermAnticipation());
        eval.Subcommands.Add(Recognition());
        return eval;
    }

    static Command Recognition()
    {
        var llmAr = new LlmArTrainingOptions();
        var data = new Option<string>("--data") { Description = "The shared data folder that holds msr-action3d/ and utkinect-action3d/.", DefaultValueFactory = _ => DataFolder.Default() };
        var lm = new Option<string>("--lm") { Description = "The frozen base language model of every LLM-AR: a Hugging Face LLaMA or Qwen2 folder with tokenizer.json.", DefaultValueFactory = _ => Path.Combine("samples", "lm") };
        var protocols = new Option<string>("--protocol")
        {
            Description = "Comma-separated protocols: a (MSR Action3D cross-subject, 284/273), b (MSR Action3D, mean over the 10 subject splits of derived/tr_te_splits_random10.txt), " +
                "c (UTKinect windows of the continuous takes, subject split 1), d (UTKinect whole segments, leave one subject out, 10 folds).",
            DefaultValueFactory = _ => "a,b,c,d",
        };
        var ablations = new Option<string>("--ablations")
        {
            Description = $"Comma-separated ablation rows, or all: {string.Join(", ", Enum.GetValues<RecognitionAblation>().Select(RecognitionEvaluation.Name))}. Each trains one more model per fold. Default: none.",
            DefaultValueFactory = _ => "",
        };
        var everywhere = new Option<bool>("--ablations-everywhere") { Description = "Ablations on every protocol; by default only on a and c, since b and d train 10 models per row." };
        var quick = new Option<bool>("--quick")
        {
            Description = "A few epochs of everything (LLM-AR 20 tokenizer and 40 LoRA steps in place of --tokenizer-steps and --steps, the MLP 10, the logistic baseline 100 steps): " +
                "a smoke run of the whole evaluation, not its accuracy.",
        };
        var window = new Option<int>("--window") { Description = "c: window length in skeleton frames (train llm-ar's default).", DefaultValueFactory = _ => 30 };
        var hop = new Option<int>("--hop") { Description = "c: frames between the ends of consecutive windows.", DefaultValueFactory = _ => 3 };
        var tokenizerSteps = new Option<int>("--tokenizer-steps") { Description = "Optimizer steps of LLM-AR's tokenizer stage.", DefaultValueFactory = _ => llmAr.TokenizerSteps };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps of LLM-AR's LoRA stage (and of the sentence classifier).", DefaultValueFactory = _ => llmAr.Steps };
        var seed = new Option<int>("--seed") { Description = "Seed of every model's initialization, augmentation and shuffling.", DefaultValueFactory = _ => llmAr.Seed };
        var seeds = new Option<string?>("--seeds")
        {
            Description = "Comma-separated seeds, in place of --seed: the whole evaluation runs once per seed, each retraining every model, and the table gives " +
                "each row's mean ± sd over the seeds beside every seed's accuracy (e.g. 1,2,3,4,5).",
        };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path (format: docs/results-format.md)." };
        var csv = new Option<string?>("--csv") { Description = "Also write the table as CSV (protocol, method, folds, accuracy, its sd over folds, stage costs, trained parameters) to this path." };
        var methods = new Option<string>("--methods")
        {
            Description = "The language-model recognizers beside LLM-AR (action sentences + LoRA), comma-separated: " +
                $"{string.Join(", ", Enum.GetValues<RecognitionMethod>().Select(RecognitionEvaluation.Name))}; all or none.",
            DefaultValueFactory = _ => "all",
        };
        var cache = new Option<string?>("--cache")
        {
            Description = "Keep each fold's result of each row in this folder as it comes (and the tokenizers rows share), so a run that stops continues where it " +
                "stopped when the same command runs again. A result is reused only from the same build, settings and base model; others are computed again.",
        };
        var command = new Command("recognition",
            "Skeleton action recognition under the published protocols: LLM-AR (docs/methods.md) read out by its class head and by label likelihood (the same " +
            "model), the other pairings of tokenizer and adapter (--methods: action sentences + P-Tuning v2, VTEM + P-Tuning v2, VTEM + LoRA), the MLP of " +
            "`train mlp` and the logistic baseline of `train baseline`, each trained on every fold's training subjects and scored by top-1 accuracy on its test " +
            "subjects, plus the chosen ablations of LLM-AR and VTEM. Prints one table with the cost of each stage and the values each recognizer trains; JSON " +
            "and CSV on request.")
        {
            data, lm, protocols, methods, ablations, everywhere, quick, window, hop, tokenizerSteps, steps, seed, seeds, json, csv, cache,
        };
        command.SetAction(parse =>
        {
            var chosen = parse.GetValue(protocols)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(ParseProtocol).Distinct().Order().ToList();
            if (chosen.Count == 0) throw new ArgumentException("eval recognition --protocol: name at least one of a, b, c, d.");
            int[] seedList = parse.GetValue(seeds) is { } listed ? Numbers(listed, "eval recognition --seeds") ?? [] : [parse.GetValue(seed)];
            if (seedList.Length == 0 || seedList.Distinct().Count() != seedList.Length)
                throw new ArgumentException($"eval recognition --seeds: '{parse.GetValue(seeds)}' must name one or more different seeds.");
            var training = llmAr with { TokenizerSteps = parse.GetValue(tokenizerSteps), Steps = parse.GetValue(steps), Seed = seedList[0] };
            if (training.TokenizerSteps < 1 || training.Steps < 1) throw new ArgumentException("eval recognition: --tokenizer-steps and --steps must be at least 1.");
            var options = new RecognitionEvalOptions
            {
                BaseModelFolder = parse.GetValue(lm)!,
                Ablations = ParseAblations(parse.GetValue(ablations)!),
                Methods = ParseMethods(parse.GetValue(methods)!),
                AblationsEverywhere = parse.GetValue(everywhere),
                Training = training,
                Mlp = new SkeletonTrainingOptions(Seed: training.Seed),
                Logistic = new PoseClassifierOptions(Seed: training.Seed),
            };
            if (parse.GetValue(quick)) options = options.Quick();
            // Fails now, naming what the folder lacks, rather than after the datasets have loaded.
            LanguageModelFolder.Load(options.BaseModelFolder);
            int w = parse.GetValue(window), h = parse.GetValue(hop);
            if (w < 2 || h < 1) throw new ArgumentException($"eval recognition: --window must be at least 2 and --hop at least 1 (got {w} and {h}).");
            var runs = seedList.Select(s => options with
            {
                Training = options.Training with { Seed = s },
                Mlp = options.Mlp with { Seed = s },
                Logistic = options.Logistic with { Seed = s },
            }).ToList();
            return RunRecognition(parse.GetValue(data)!, chosen, runs, w, h, parse.GetValue(json), parse.GetValue(csv), parse.GetValue(cache));
        });
        return command;
    }

    static RecognitionProtocol ParseProtocol(string letter) =>
        letter.Length == 1 && letter[0] is >= 'a' and <= 'd' ? (RecognitionProtocol)(letter[0] - 'a')
            : throw new ArgumentException($"eval recognition --protocol: unknown protocol '{letter}' (a, b, c, d).");

    static RecognitionMethod[] ParseMethods(string list)
    {
        var all = Enum.GetValues<RecognitionMethod>();
        return list.Trim() switch
        {
            "all" => all,
            "none" => [],
            _ => [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(name =>
                all.Where(m => RecognitionEvaluation.Name(m) == name).Cast<RecognitionMethod?>().FirstOrDefault()
                    ?? throw new ArgumentException($"eval recognition --methods: unknown method '{name}' ({string.Join(", ", all.Select(RecognitionEvaluation.Name))}, all or none)."))],
        };
    }

    static RecognitionAblation[] ParseAblations(string list)
    {
        var all = Enum.GetValues<RecognitionAblation>();
        if (list.Trim() == "all") return all;
        return [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(name =>
            all.Where(a => RecognitionEvaluation.Name(a) == name).Cast<RecognitionAblation?>().FirstOrDefault()
                ?? throw new ArgumentException($"eval recognition --ablations: unknown ablation '{name}' ({string.Join(", ", all.Select(RecognitionEvaluation.Name))}, or all)."))];
    }

    /// <summary>Every protocol under each of <paramref name="runs"/>, the same options but for their seeds, one after the other.</summary>
    static int RunRecognition(string data, IReadOnlyList<RecognitionProtocol> protocols, IReadOnlyList<RecognitionEvalOptions> runs, int window, int hop,
        string? jsonPath, string? csvPath, string? cacheFolder)
    {
        var options = runs[0];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var benchmarks = protocols.Select(p => RecognitionProtocols.Load(p, data, options.LlmAr.Dimensions, window, hop)).ToList();
        foreach (var b in benchmarks)
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"({RecognitionProtocols.Letter(b.Protocol)}) {b.Dataset}, {b.Description}: {b.Folds.Count} fold(s), {b.Folds[0].Train.Count} training / {b.Folds[0].Test.Count} test samples in the first, {b.Labels.Count} actions")));
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"LLM-AR: {options.Training.TokenizerSteps} tokenizer steps, {options.Training.Steps} LoRA steps, rank {options.LlmAr.LoraRank}, T = {options.LlmAr.Frames}; " +
            $"also {(options.Methods.Count == 0 ? "none" : string.Join(", ", options.Methods.Select(RecognitionEvaluation.Name)))} (P-Tuning v2: {options.LlmAr.PromptTokens} prompts per layer); " +
            $"MLP {options.Mlp.Epochs} epochs; logistic {options.Logistic.Steps} steps; ablations: {(options.Ablations.Count == 0 ? "none" : string.Join(", ", options.Ablations.Select(RecognitionEvaluation.Name)))}; " +
            $"seed{(runs.Count > 1 ? "s" : "")} {string.Join(", ", runs.Select(r => r.Training.Seed))}")));
        int total = runs.Count * benchmarks.Sum(b => RecognitionEvaluation.Trainings(b.Protocol, b.Folds.Count, options));
        var seeded = new List<SeedRows>();
        int reused = 0;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var models = ctx.AddTask("models trained", maxValue: total);
                var stage = ctx.AddTask("starting", maxValue: 1);
                int done = 0;
                foreach (var run in runs)
                {
                    var cache = cacheFolder is null ? null : new RecognitionCache(cacheFolder, run);
                    var rows = new List<RecognitionRow>();
                    foreach (var b in benchmarks)
                    {
                        rows.AddRange(RecognitionEvaluation.Run(b, run, done, total, new InlineProgress<RecognitionProgress>(p =>
                        {
                            models.Value = p.Done;
                            models.Description = string.Create(CultureInfo.InvariantCulture, $"models trained ({p.Done}/{p.Total})");
                            if (p.Stage is not { } s) return;
                            stage.MaxValue = s.Steps;
                            stage.Value = s.Step;
                            stage.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                                $"({RecognitionProtocols.Letter(p.Protocol)}) {p.Fold}, {p.Method}{(runs.Count > 1 ? $", seed {run.Training.Seed}" : "")}: {s.Stage} epoch {s.Epoch}/{s.Epochs} loss {s.Loss:0.000}"));
                        }), cache));
                        done += RecognitionEvaluation.Trainings(b.Protocol, b.Folds.Count, run);
                    }
                    seeded.Add(new SeedRows(run.Training.Seed, rows));
                    reused += cache?.Reused ?? 0;
                }
                stage.Value = stage.MaxValue;
            });
        if (cacheFolder is not null)
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{reused} fold result(s) read from {cacheFolder}, the rest computed and kept there")));
        RecognitionReport.Write(seeded, clock.Elapsed, jsonPath, csvPath);
        return 0;
    }

    static Command LongTermAnticipation()
    {
        var data = new Option<string>("--data") { Description = "A dataset in the frame-label layout (groundTruth/, mapping.txt, splits/).", DefaultValueFactory = _ => Path.Combine(DataFolder.Default(), "50salads") };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path (format: docs/results-format.md); ActionLLM's cells carry the std over seeds." };
        var csv = new Option<string?>("--csv") { Description = "Also write the tables as CSV (method, alpha, beta, moc, std) to this path." };
        var methods = new Option<string>("--methods") { Description = "Comma-separated: repeat-last, transitions, actionllm.", DefaultValueFactory = _ => "repeat-last,transitions,actionllm" };
        var splits = new Option<string?>("--splits") { Description = "Comma-separated splits to run (default: all); the table averages those." };
        var seeds = new Option<string>("--seeds")
        {
            Description = "ActionLLM seeds, comma-separated: each retrains the per-split base LM and ActionLLM; the table gives the mean ± std over them.",
            DefaultValueFactory = _ => "1,2,3",
        };
        var noValidation = new Option<bool>("--no-validation")
        {
            Description = "Train ActionLLM on all training videos with the decoding given by the flags (--no-duration-prior, --no-transition-prior, --ensemble on) " +
                "instead of choosing it on validation videos.",
        };
        var noRefit = new Option<bool>("--no-refit")
        {
            Description = "Score the models trained without the validation videos, instead of training each split and seed again on all its training videos " +
                "with the choices validation made (stopped at the chosen epoch, the learning-rate schedule as validated).",
        };
        var validationEvery = new Option<int>("--validation-every")
        {
            Description = "Validation: one training video in this many, per activity (the last '_'-separated part of a video's name), is held out of training.",
            DefaultValueFactory = _ => 5,
        };
        var learningRates = new Option<string>("--learning-rates")
        {
            Description = "ActionLLM's peak learning rates tried on validation, comma-separated. With --query-counts and --observed-ranges they make the " +
                "candidates: the flags' training (--learning-rate, --queries, --min-observed, --max-observed), and each other value of one setting with " +
                "the others at the flags'. Every candidate trains the first seed of every split, and the flags' training trains the other seeds unless " +
                "another candidate (with its epochs) beats it on validation by more than the standard error across splits. --no-validation uses the flags'.",
            DefaultValueFactory = _ => "5e-4,1e-3,2e-3",
        };
        var queryCounts = new Option<string>("--query-counts")
        {
            Description = "ActionLLM's numbers of action queries tried on validation, comma-separated (see --learning-rates).",
            DefaultValueFactory = _ => "10,20,30",
        };
        var observedRanges = new Option<string>("--observed-ranges")
        {
            Description = "Ranges of training's observed fractions tried on validation, comma-separated min-max pairs (see --learning-rates).",
            DefaultValueFactory = _ => "0.1-0.5,0.15-0.35",
        };
        var ensemble = new Option<string>("--ensemble")
        {
            Description = "auto: validation decides between each seed alone and the seeds' averaged class probabilities and durations; on or off forces it.",
            DefaultValueFactory = _ => "auto",
        };
        var actionLlmOptions = new ActionLlmOptions();
        var command = new Command("lta",
            "Long-term action anticipation (Abu Farha et al. 2018): observe alpha in {0.2, 0.3} of each test video's ground-truth labels, predict the next " +
            "beta in {0.1, 0.2, 0.3, 0.5}; Mean over Classes accuracy per split, averaged over all splits. Scores ActionLLM and the baselines repeat-last " +
            "and first-order transitions with mean durations. ActionLLM trains per split and seed on the training videos less a validation set (one in " +
            "--validation-every per activity); its training (learning rate, queries, observed fractions), its epochs (scored every " + ActionLlmSetup.ValidationInterval + "), " +
            "its decoding (residual time, transitions) and ensembling are chosen on the validation videos, each keeping its default unless another candidate beats it " +
            "by more than the standard error across splits; then each split and seed trains again on all its training videos with those choices " +
            "(--no-refit skips this) and the test videos are scored once.")
        {
            data, json, csv, methods, splits, seeds, noValidation, noRefit, validationEvery, learningRates, queryCounts, observedRanges, ensemble,
        };
        actionLlmOptions.AddTo(command, withSeed: false);
        command.SetAction(parse =>
        {
            var chosen = parse.GetValue(methods)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var m in chosen)
                if (m is not ("repeat-last" or "transitions" or "actionllm"))
                    throw new ArgumentException($"eval lta --methods: unknown method '{m}' (repeat-last, transitions, actionllm).");
            var actionLlm = actionLlmOptions.Setup(parse);
            var only = Numbers(parse.GetValue(splits), "eval lta --splits");
            var seedList = Numbers(parse.GetValue(seeds), "eval lta --seeds") ?? [];
            if (seedList.Length == 0 || seedList.Distinct().Count() != seedList.Length)
                throw new ArgumentException($"eval lta --seeds: '{parse.GetValue(seeds)}' must name one or more different seeds.");
            var ensembleMode = parse.GetValue(ensemble) switch
            {
                "auto" => (bool?)null,
                "on" => true,
                "off" => false,
                var other => throw new ArgumentException($"eval lta --ensemble: '{other}' is not auto, on or off."),
            };
            if (ensembleMode == true && seedList.Length < 2) throw new ArgumentException("eval lta --ensemble on: an ensemble needs two or more --seeds.");
            var rates = List(parse.GetValue(learningRates), "--learning-rates", r => float.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > 0 && float.IsFinite(x)
                ? x : throw new ArgumentException($"eval lta --learning-rates: '{r}' is not a positive number."));
            var queryList = List(parse.GetValue(queryCounts), "--query-counts", q => int.TryParse(q, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n : throw new ArgumentException($"eval lta --query-counts: '{q}' is not a positive whole number."));
            var ranges = List(parse.GetValue(observedRanges), "--observed-ranges", ObservedRange);
            bool validate = !parse.GetValue(noValidation);
            var @default = ActionLlmCandidate.Of(actionLlm);
            var protocol = new LtaProtocol(seedList, validate, validate && !parse.GetValue(noRefit), parse.GetValue(validationEvery), ensembleMode,
                validate ? ActionLlmCandidate.Around(@default, rates, queryList, ranges) : [@default]);
            return Run(parse.GetValue(data)!, parse.GetValue(json), parse.GetValue(csv), chosen, only, actionLlm, protocol);
        });
        return command;
    }

    static T[] List<T>(string? list, string option, Func<string, T> parse)
    {
        var values = (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(parse).Distinct().ToArray();
        return values.Length > 0 ? values : throw new ArgumentException($"eval lta {option}: give at least one value.");
    }

    static (double Min, double Max) ObservedRange(string range)
    {
        var ends = range.Split('-', StringSplitOptions.TrimEntries);
        if (ends.Length == 2 && double.TryParse(ends[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
            && double.TryParse(ends[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var max) && min > 0 && min <= max && max < 1)
            return (min, max);
        throw new ArgumentException($"eval lta --observed-ranges: '{range}' is not min-max with 0 < min <= max < 1 (e.g. 0.1-0.5).");
    }

    static Progress Progress() => AnsiConsole.Progress()
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn());

    static int[]? Numbers(string? list, string option) => list?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(k => int.TryParse(k, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{option}: '{k}' is not a number.")).ToArray();

    /// <summary>
    /// ActionLLM's seeds, whether choices are made on validation videos (one in <paramref name="ValidationEvery"/>) and the
    /// models then trained again on all training videos (<paramref name="Refit"/>), the ensemble (null lets validation
    /// decide) and the ways to train validation chooses from, the flags' first (one: no choice).
    /// </summary>
    sealed record LtaProtocol(int[] Seeds, bool Validation, bool Refit, int ValidationEvery, bool? Ensemble, IReadOnlyList<ActionLlmCandidate> Candidates);

    /// <summary>One split's ActionLLM models (one per seed) and the videos they were trained, validated and tested on.</summary>
    sealed record SplitModels(int Split, IReadOnlyList<LabelledVideo> Fit, IReadOnlyList<LabelledVideo> Validation, IReadOnlyList<LabelledVideo> Test, List<ActionLlm> Models);

    static int Run(string root, string? jsonPath, string? csvPath, IReadOnlyList<string> chosen, int[]? only, ActionLlmSetup actionLlm, LtaProtocol protocol)
    {
        var dataset = FrameLabelDataset.Open(root);
        var splitNumbers = only ?? [.. Enumerable.Range(1, dataset.SplitCount)];
        foreach (var k in splitNumbers)
            if (k < 1 || k > dataset.SplitCount) throw new ArgumentException($"eval lta --splits: split {k} does not exist (1..{dataset.SplitCount}).");
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(Path.GetFullPath(root)))}[/]: {dataset.Actions.Count} actions, {dataset.SplitCount} splits");
        (actionLlm, var inputs) = actionLlm.For(dataset);
        bool llm = chosen.Contains("actionllm");
        if (llm)
        {
            AnsiConsole.WriteLine(inputs);
            AnsiConsole.WriteLine(protocol.Validation
                ? $"ActionLLM: seeds {string.Join(", ", protocol.Seeds)}; one training video in {protocol.ValidationEvery} per activity is held out for validation, " +
                  $"where the training ({protocol.Candidates.Count} candidates: {string.Join("; ", protocol.Candidates.Select(c => c.Name))}), the epochs, " +
                  "the decoding and the ensembling are chosen; " +
                  (protocol.Refit ? "then each split and seed trains again on all its training videos with those choices (--no-refit: not), " : "") +
                  "and the test videos are scored once (--no-validation trains on all training videos with the flags' choices)"
                : $"ActionLLM: seeds {string.Join(", ", protocol.Seeds)}; no validation: trained on all training videos, decoded as the flags say");
        }
        var baselines = chosen.Where(m => m != "actionllm").ToDictionary(m => m, _ => new List<IReadOnlyList<MocCell>>());
        var trained = new List<SplitModels>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var runs = new List<ActionLlmTrainingRun>();
        // The first seed of every split trains once per candidate; the candidate validation prefers trains the other seeds.
        var firstSeed = new Dictionary<(int Split, ActionLlmCandidate Candidate), ActionLlmTrainingRun>();
        var candidate = protocol.Candidates[0];
        int epochs = actionLlm.Training.Epochs;
        TrainingChoice? training = null;
        // Per split, seed and training videos (all of them, or all less the validation ones), the per-split base model is
        // pre-trained once and shared by that seed's candidates.
        var baseModels = new Dictionary<(int Split, int Seed, int Videos), string>();
        ActionLlmTrainingRun TrainSeed(ProgressContext ctx, int k, int seed, ActionLlmCandidate way, IReadOnlyList<LabelledVideo> fit,
            IReadOnlyList<LabelledVideo> validation, int? stopAfter = null)
        {
            var bar = ctx.AddTask(Markup.Escape($"split {k} seed {seed} {way.Name}, {fit.Count} videos: ActionLLM"), maxValue: 1);
            var setup = way.Apply(actionLlm);
            setup = setup with { Training = setup.Training with { Seed = seed, StopAfterEpochs = stopAfter } };
            var pretraining = TimeSpan.Zero;
            if (setup.LmFolder == ActionLlmSetup.PerSplitBaseModel)
            {
                if (!baseModels.TryGetValue((k, seed, fit.Count), out var folder))
                {
                    var pretrainClock = System.Diagnostics.Stopwatch.StartNew();
                    folder = baseModels[(k, seed, fit.Count)] = Directory.CreateTempSubdirectory("streaming-lm-").FullName;
                    setup.PretrainBaseModel(dataset, fit, k, bar, folder);
                    pretraining = pretrainClock.Elapsed;
                }
                setup = setup with { LmFolder = folder };
            }
            var run = setup.Train(dataset, fit, k, bar, validation: validation) with { BaseModelTime = pretraining };
            runs.Add(run);
            return run;
        }
        var refitted = new List<SplitModels>();
        // Per split: its training videos, and those less the validation ones, as ActionLLM fits them first.
        var carved = new Dictionary<int, (IReadOnlyList<LabelledVideo> Train, IReadOnlyList<LabelledVideo> Fit, IReadOnlyList<LabelledVideo> Validation,
            IReadOnlyList<LabelledVideo> Test)>();
        var extra = new List<BenchResult>();
        DecodingChoice? decoding = null;
        try
        {
            Progress().Start(ctx =>
            {
                var task = ctx.AddTask("splits", maxValue: splitNumbers.Length * (llm ? 2 : 1));
                foreach (var k in splitNumbers)
                {
                    task.Description = $"split {k}";
                    var (train, test) = dataset.Split(k);
                    if (baselines.TryGetValue("repeat-last", out var repeat))
                        repeat.Add(AnticipationProtocol.Evaluate(test, dataset.Actions.Count, AnticipationProtocol.RepeatLast));
                    if (baselines.TryGetValue("transitions", out var chain))
                    {
                        var transitions = TransitionAnticipator.Train(train.Select(v => AnticipationProtocol.Runs(v.Labels)), dataset.Actions);
                        chain.Add(AnticipationProtocol.Evaluate(test, dataset.Actions.Count, AnticipationProtocol.Transitions(transitions)));
                    }
                    if (llm)
                    {
                        var (fit, validation) = protocol.Validation ? ValidationSplit.Carve(train, protocol.ValidationEvery) : (train, []);
                        carved[k] = (train, fit, validation, test);
                        foreach (var way in protocol.Candidates) firstSeed[(k, way)] = TrainSeed(ctx, k, protocol.Seeds[0], way, fit, validation);
                    }
                    task.Increment(1);
                }
                if (!llm) return;
                if (protocol.Validation)
                {
                    (candidate, epochs) = ChooseTraining(splitNumbers, protocol, firstSeed, out var chosen);
                    training = chosen;
                }
                foreach (var k in splitNumbers)
                {
                    task.Description = $"split {k}: seeds";
                    var runsHere = new List<ActionLlmTrainingRun> { firstSeed[(k, candidate)] };
                    foreach (var seed in protocol.Seeds.Skip(1)) runsHere.Add(TrainSeed(ctx, k, seed, candidate, carved[k].Fit, carved[k].Validation));
                    foreach (var run in runsHere) run.Stopping?.Restore(epochs);
                    trained.Add(new SplitModels(k, carved[k].Fit, carved[k].Validation, carved[k].Test, [.. runsHere.Select(r => r.Model)]));
                    task.Increment(1);
                }
            });
            if (runs.Count > 0)
                AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"training: {ActionLlmTrainingRun.Describe(runs, "training")}; {splitNumbers.Length} splits x ({protocol.Seeds.Length} seeds + {protocol.Candidates.Count - 1} more candidates); {clock.Elapsed.TotalSeconds:0} s")));
            if (training is not null) ReportTrainingChoice(training, extra);
            if (llm) decoding = protocol.Validation ? ChooseOnValidation(trained, actionLlm, dataset.Actions.Count, protocol, extra)
                : new DecodingChoice(actionLlm.Training.DurationPrior, actionLlm.Training.TransitionPrior, protocol.Ensemble == true);
            if (llm && protocol.Refit)
            {
                AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"ActionLLM: each split and seed trained again on all its training videos (the validation videos too) with the choices above: {candidate.Name}, " +
                    $"stopped after {epochs} of {actionLlm.Training.Epochs} epochs (--no-refit scores the models above)")));
                runs.Clear();
                clock.Restart();
                Progress().Start(ctx =>
                {
                    var task = ctx.AddTask("splits: all training videos", maxValue: trained.Count);
                    foreach (var split in trained)
                    {
                        var train = carved[split.Split].Train;
                        var models = protocol.Seeds.Select(seed => TrainSeed(ctx, split.Split, seed, candidate, train, [], epochs).Model).ToList();
                        refitted.Add(new SplitModels(split.Split, train, [], split.Test, models));
                        task.Increment(1);
                    }
                });
                AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"training on all training videos: {ActionLlmTrainingRun.Describe(runs, "training")}; {clock.Elapsed.TotalSeconds:0} s")));
            }
        }
        finally
        {
            foreach (var folder in baseModels.Values) Directory.Delete(folder, recursive: true);
        }

        var methods = new Dictionary<string, List<List<IReadOnlyList<MocCell>>>>();
        foreach (var m in chosen)
        {
            if (m != "actionllm")
            {
                methods[m] = [baselines[m]];
                continue;
            }
            AnsiConsole.MarkupLine($"ActionLLM decoding: [green]{Markup.Escape(decoding!.Name)}[/]{(protocol.Validation ? " (chosen on validation)" : "")}");
            if (protocol.Refit)
            {
                Score("actionllm", refitted);
                Score("actionllm, validation videos held out", trained);
            }
            else Score("actionllm", trained);
        }
        // Each seed alone (mean ± std) always; the ensemble beside it when chosen.
        void Score(string name, IReadOnlyList<SplitModels> splits)
        {
            var perSeed = protocol.Seeds.Select(_ => new List<IReadOnlyList<MocCell>>()).ToList();
            var ensembled = new List<IReadOnlyList<MocCell>>();
            foreach (var split in splits)
            {
                decoding!.Apply(split.Models, split.Fit);
                for (int s = 0; s < split.Models.Count; s++) perSeed[s].Add(actionLlm.Evaluate(split.Models[s], split.Test, dataset.Actions.Count));
                if (decoding.Ensemble) ensembled.Add(actionLlm.Evaluate(split.Models, split.Test, dataset.Actions.Count));
            }
            methods[name] = perSeed;
            if (decoding.Ensemble) methods[$"{name} ensemble of {protocol.Seeds.Length} seeds"] = [ensembled];
        }

        MocReport.Write($"MoC (%) over {(only is null ? $"{dataset.SplitCount} splits" : $"split {string.Join(", ", splitNumbers)}")}: observe α, predict the next β" +
            (llm && protocol.Seeds.Length > 1 ? $"; ActionLLM mean ± std over seeds {string.Join(", ", protocol.Seeds)}" : ""),
            methods, jsonPath, csvPath, extra);
        return 0;
    }

    /// <summary>What validation chose for training: every (candidate, epochs) pair's validation MoC per split, the default and the choice.</summary>
    sealed record TrainingChoice(IReadOnlyList<ActionLlmCandidate> Candidates, int[] Epochs, Dictionary<(ActionLlmCandidate Candidate, int Epochs), double[]> Scores,
        (ActionLlmCandidate Candidate, int Epochs) Default, (ActionLlmCandidate Candidate, int Epochs) Chosen, (ActionLlmCandidate Candidate, int Epochs) Best,
        double Advantage, double StandardError);

    /// <summary>
    /// Chooses the training candidate and the epochs (of those scored) from the first seed's runs on the validation
    /// videos: the default (the flags' training, all epochs) unless another pair beats it by more than the noise across
    /// splits (<see cref="ValidationChoice"/>).
    /// </summary>
    static (ActionLlmCandidate Candidate, int Epochs) ChooseTraining(int[] splits, LtaProtocol protocol,
        Dictionary<(int Split, ActionLlmCandidate Candidate), ActionLlmTrainingRun> firstSeed, out TrainingChoice choice)
    {
        var scored = firstSeed.Values.First().Stopping!.Scores.Select(s => s.Epoch).ToArray();
        var pairs = (from c in protocol.Candidates from e in scored select (Candidate: c, Epochs: e)).ToList();
        var scores = pairs.ToDictionary(p => p, p => splits.Select(k => firstSeed[(k, p.Candidate)].Stopping!.ScoreAt(p.Epochs) * 100).ToArray());
        var @default = (Candidate: protocol.Candidates[0], Epochs: scored[^1]);
        var (chosen, best, advantage, error) = ValidationChoice.Choose(pairs, @default, p => scores[p]);
        choice = new TrainingChoice(protocol.Candidates, scored, scores, @default, chosen, best, advantage, error);
        return chosen;
    }

    /// <summary>Prints the training choice as a table (candidate by epochs) and adds its figures to the results file as <c>actionllm validation …</c>.</summary>
    static void ReportTrainingChoice(TrainingChoice choice, List<BenchResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("ActionLLM training on the validation videos (first seed; MoC %, average over splits)");
        table.AddColumn("training");
        foreach (var e in choice.Epochs) table.AddColumn(new TableColumn($"{e} epochs").RightAligned());
        foreach (var c in choice.Candidates)
        {
            var cells = new List<string> { Markup.Escape(c.Name + (c == choice.Default.Candidate ? " (default)" : "")) };
            foreach (var e in choice.Epochs)
            {
                double moc = choice.Scores[(c, e)].Average();
                results.Add(new BenchResult($"actionllm validation {c.Name}, epochs {e}", "MoC %", moc));
                var text = moc.ToString("0.0", CultureInfo.InvariantCulture);
                cells.Add((c, e) == choice.Chosen ? $"[green]{text}[/]" : text);
            }
            table.AddRow([.. cells]);
        }
        AnsiConsole.Write(table);
        var picked = choice.Chosen.Candidate;
        results.Add(new BenchResult("actionllm validation chosen learning rate", "learning rate", picked.LearningRate));
        results.Add(new BenchResult("actionllm validation chosen queries", "queries", picked.Queries));
        results.Add(new BenchResult("actionllm validation chosen min observed", "fraction", picked.MinObserved));
        results.Add(new BenchResult("actionllm validation chosen max observed", "fraction", picked.MaxObserved));
        results.Add(new BenchResult("actionllm validation chosen epochs", "epochs", choice.Chosen.Epochs));
        static string Pair((ActionLlmCandidate Candidate, int Epochs) c) => string.Create(CultureInfo.InvariantCulture, $"{c.Candidate.Name}, {c.Epochs} epochs");
        AnsiConsole.MarkupLine(Markup.Escape("ActionLLM training on validation: " +
            Noise(Pair(choice.Chosen), Pair(choice.Best), Pair(choice.Default), choice.Advantage, choice.StandardError)));
        AnsiConsole.MarkupLine(Markup.Escape($"ActionLLM training: {Pair(choice.Chosen)} (chosen on validation)"));
    }

    /// <summary>Why validation took a candidate or kept the default, in words.</summary>
    static string Noise(string chosen, string best, string @default, double advantage, double standardError)
    {
        if (double.IsNaN(standardError)) return $"the best on validation ({best}); one split gives no noise estimate";
        if (chosen == @default)
            return best == @default ? "the default was also the best on validation"
                : string.Create(CultureInfo.InvariantCulture, $"the default kept: the best ({best}) beat it by {advantage:0.0} points, within the standard error across splits ({standardError:0.0})");
        return string.Create(CultureInfo.InvariantCulture, $"{chosen} beat the default ({@default}) by {advantage:0.0} points, more than the standard error across splits ({standardError:0.0})") +
            (chosen == best ? "" : $"; {best} scored higher, within the noise");
    }

    /// <summary>
    /// Scores every <see cref="DecodingChoice"/> on the validation videos (MoC averaged over α and β, and for single models
    /// over seeds, per split), prints them, and returns the flags' decoding (each seed alone unless --ensemble on) unless
    /// another beats it by more than the noise across splits (<see cref="ValidationChoice"/>); the scores go to the
    /// results file as <c>actionllm validation …</c>.
    /// </summary>
    static DecodingChoice ChooseOnValidation(IReadOnlyList<SplitModels> trained, ActionLlmSetup actionLlm, int classes, LtaProtocol protocol, List<BenchResult> results)
    {
        var candidates = DecodingChoice.Candidates(protocol.Seeds.Length).Where(c => protocol.Ensemble is not { } e || c.Ensemble == e).ToList();
        var scores = candidates.ToDictionary(c => c, choice => trained.Select(split =>
        {
            choice.Apply(split.Models, split.Fit);
            return 100 * (choice.Ensemble
                ? actionLlm.Evaluate(split.Models, split.Validation, classes).Average(c => c.Moc)
                : split.Models.Average(model => actionLlm.Evaluate(model, split.Validation, classes).Average(c => c.Moc)));
        }).ToArray());
        var @default = new DecodingChoice(actionLlm.Training.DurationPrior, actionLlm.Training.TransitionPrior, protocol.Ensemble == true);
        var (chosen, best, advantage, error) = ValidationChoice.Choose(candidates, @default, c => scores[c]);
        var table = new Table().Border(TableBorder.Rounded).Title("ActionLLM on the validation videos");
        table.AddColumn("decoding");
        table.AddColumn(new TableColumn("MoC % (average)").RightAligned());
        foreach (var choice in candidates)
        {
            double moc = scores[choice].Average();
            results.Add(new BenchResult($"actionllm validation {choice.Name}", "MoC %", moc));
            var name = Markup.Escape(choice.Name + (choice == @default ? " (default)" : ""));
            table.AddRow(choice == chosen ? $"[green]{name}[/]" : name, moc.ToString("0.0", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape("ActionLLM decoding on validation: " + Noise(chosen.Name, best.Name, @default.Name, advantage, error)));
        return chosen;
    }
}
