using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Streaming.Cli.Bench;
using Streaming.Models.Anticipation;
using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming eval ...</c>: the published evaluation protocols, as tables, JSON (DESIGN.md §5) and CSV.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var eval = new Command("eval", "Evaluate models with the published protocols; print the tables and optionally write JSON and CSV.");
        eval.Subcommands.Add(LongTermAnticipation());
        return eval;
    }

    static Command LongTermAnticipation()
    {
        var data = new Option<string>("--data") { Description = "A dataset in the frame-label layout (groundTruth/, mapping.txt, splits/).", DefaultValueFactory = _ => Path.Combine(DataFolder.Default(), "50salads") };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON (DESIGN.md §5) to this path." };
        var csv = new Option<string?>("--csv") { Description = "Also write the tables as CSV (method, alpha, beta, moc) to this path." };
        var methods = new Option<string>("--methods") { Description = "Comma-separated: repeat-last, transitions, actionllm.", DefaultValueFactory = _ => "repeat-last,transitions,actionllm" };
        var lm = new Option<string>("--lm")
        {
            Description = $"ActionLLM's frozen base model: '{PerSplitBaseModel}' pre-trains one per split on the action sequences of its training videos " +
                "(as `streaming train lm --split K`), or a Hugging Face checkpoint folder with tokenizer.json.",
            DefaultValueFactory = _ => PerSplitBaseModel,
        };
        var lmSteps = new Option<int>("--lm-steps") { Description = $"Optimizer steps of each per-split base model.", DefaultValueFactory = _ => new LanguageModelTrainingOptions().Steps };
        var splits = new Option<string?>("--splits") { Description = "Comma-separated splits to run (default: all); the table averages those." };
        var defaults = new ActionLlmTrainingOptions();
        var epochs = new Option<int>("--epochs") { Description = "ActionLLM training epochs per split.", DefaultValueFactory = _ => defaults.Epochs };
        var queries = new Option<int>("--queries") { Description = "ActionLLM action queries N.", DefaultValueFactory = _ => new ActionLlmConfig().Queries };
        var queryInit = new Option<QueryInit>("--query-init") { Description = "Action query initialization: Constant (the paper's), Zero or Normal.", DefaultValueFactory = _ => QueryInit.Constant };
        var noCmib = new Option<bool>("--no-cmib") { Description = "Ablation: without the cross-modality interaction block." };
        var noTextLoss = new Option<bool>("--no-text-loss") { Description = "Ablation: without L_T, the past classifier's loss." };
        var seed = new Option<int>("--seed") { Description = "Seed for ActionLLM's initialization and sampling.", DefaultValueFactory = _ => defaults.Seed };
        var command = new Command("lta",
            "Long-term action anticipation (Abu Farha et al. 2018): observe alpha in {0.2, 0.3} of each test video's ground-truth labels, predict the next " +
            "beta in {0.1, 0.2, 0.3, 0.5}; Mean over Classes accuracy per split, averaged over all splits. Scores ActionLLM (trained on each split's " +
            "training videos on the frozen --lm) and the baselines repeat-last and first-order transitions with mean durations.")
        {
            data, json, csv, methods, splits, lm, lmSteps, epochs, queries, queryInit, noCmib, noTextLoss, seed,
        };
        command.SetAction(parse =>
        {
            var chosen = parse.GetValue(methods)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var m in chosen)
                if (m is not ("repeat-last" or "transitions" or "actionllm"))
                    throw new ArgumentException($"eval lta --methods: unknown method '{m}' (repeat-last, transitions, actionllm).");
            var actionLlm = new ActionLlmSetup(parse.GetValue(lm)!, new LanguageModelTrainingOptions { Steps = parse.GetValue(lmSteps) },
                new ActionLlmConfig { Queries = parse.GetValue(queries), QueryInit = parse.GetValue(queryInit), UseInteractionBlock = !parse.GetValue(noCmib) },
                defaults with { Epochs = parse.GetValue(epochs), TextLoss = !parse.GetValue(noTextLoss), Seed = parse.GetValue(seed) });
            var only = parse.GetValue(splits)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(k => int.TryParse(k, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"eval lta --splits: '{k}' is not a split number.")).ToArray();
            return Run(parse.GetValue(data)!, parse.GetValue(json), parse.GetValue(csv), chosen, only, actionLlm);
        });
        return command;
    }

    /// <summary>ActionLLM's base model folder, architecture and training for one evaluation.</summary>
    sealed record ActionLlmSetup(string LmFolder, LanguageModelTrainingOptions BaseModel, ActionLlmConfig Config, ActionLlmTrainingOptions Training);

    /// <summary>The --lm value that pre-trains a base model per split on its training videos.</summary>
    const string PerSplitBaseModel = "per-split";

    /// <summary>
    /// A fresh ActionLLM trained on one split's training videos, on the frozen --lm, or with --lm per-split on a base model
    /// pre-trained first on the action sequences of the same training videos (the test videos stay unread).
    /// </summary>
    static ActionLlm TrainActionLlm(ActionLlmSetup setup, FrameLabelDataset dataset, IReadOnlyList<LabelledVideo> train, int split, ProgressTask task)
    {
        int seed = setup.Training.Seed * 100 + split;
        LlamaModel lm;
        Tokenizer tokenizer;
        if (setup.LmFolder == PerSplitBaseModel)
        {
            task.MaxValue = setup.BaseModel.Steps;
            var trained = LanguageModelTraining.Train(ActionCorpus.Documents(train, dataset.Actions), setup.BaseModel with { Seed = seed },
                new InlineProgress<LanguageModelProgress>(p =>
                {
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"split {split}: base LM loss {p.Loss:0.000} {p.TokensPerSecond:0} tok/s");
                }));
            (lm, tokenizer) = (trained.Model, trained.Tokenizer.ToTokenizer());
        }
        else
        {
            var tokenizerPath = Path.Combine(setup.LmFolder, "tokenizer.json");
            if (!Directory.Exists(setup.LmFolder) || !File.Exists(tokenizerPath))
                throw new FileNotFoundException($"eval lta: ActionLLM needs a base model folder with config.json, safetensors and tokenizer.json at {Path.GetFullPath(setup.LmFolder)}; " +
                    $"create one with `streaming train lm`, pass --lm {PerSplitBaseModel} or another Hugging Face checkpoint folder, or leave actionllm out of --methods.", tokenizerPath);
            (lm, tokenizer) = (HfCheckpoint.Load(setup.LmFolder), Tokenizer.Load(tokenizerPath));
        }
        var model = new ActionLlm(lm, tokenizer, dataset.Actions, setup.Config, new Random(seed));
        return ActionLlmTraining.Train(model, train, setup.Training with { Seed = seed }, new InlineProgress<AnticipationProgress>(p =>
        {
            task.MaxValue = p.TotalSteps;
            task.Value = p.Step;
            task.Description = string.Create(CultureInfo.InvariantCulture, $"split {split}: ActionLLM epoch {p.Epoch}/{p.Epochs} loss {p.Loss:0.000} {p.ExamplesPerSecond:0} ex/s");
        }));
    }

    static int Run(string root, string? jsonPath, string? csvPath, IReadOnlyList<string> chosen, int[]? only, ActionLlmSetup actionLlm)
    {
        var dataset = FrameLabelDataset.Open(root);
        var splitNumbers = only ?? [.. Enumerable.Range(1, dataset.SplitCount)];
        foreach (var k in splitNumbers)
            if (k < 1 || k > dataset.SplitCount) throw new ArgumentException($"eval lta --splits: split {k} does not exist (1..{dataset.SplitCount}).");
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(Path.GetFullPath(root)))}[/]: {dataset.Actions.Count} actions, {dataset.SplitCount} splits");
        // method -> per split cells
        var methods = chosen.ToDictionary(m => m, _ => new List<IReadOnlyList<MocCell>>());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var trainingTimes = new List<double>();
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("splits", maxValue: splitNumbers.Length);
                foreach (var k in splitNumbers)
                {
                    task.Description = $"split {k}";
                    var (train, test) = dataset.Split(k);
                    if (methods.TryGetValue("repeat-last", out var repeat))
                        repeat.Add(AnticipationProtocol.Evaluate(test, dataset.Actions.Count, AnticipationProtocol.RepeatLast));
                    if (methods.TryGetValue("transitions", out var chain))
                    {
                        var transitions = TransitionAnticipator.Train(train.Select(v => AnticipationProtocol.Runs(v.Labels)), dataset.Actions);
                        chain.Add(AnticipationProtocol.Evaluate(test, dataset.Actions.Count, AnticipationProtocol.Transitions(transitions)));
                    }
                    if (methods.TryGetValue("actionllm", out var llm))
                    {
                        var training = ctx.AddTask($"split {k}: ActionLLM", maxValue: 1);
                        var splitClock = System.Diagnostics.Stopwatch.StartNew();
                        var model = TrainActionLlm(actionLlm, dataset, train, k, training);
                        trainingTimes.Add(splitClock.Elapsed.TotalSeconds);
                        llm.Add(AnticipationProtocol.Evaluate(test, dataset.Actions.Count, ActionLlmTraining.Anticipation(model, actionLlm.Training.StepsPerVideo)));
                    }
                    task.Increment(1);
                }
            });
        if (trainingTimes.Count > 0)
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"ActionLLM training: {trainingTimes.Average():0.0} s per split ({trainingTimes.Average() / actionLlm.Training.Epochs:0.00} s per epoch), {trainingTimes.Sum():0} s for {trainingTimes.Count} splits; whole evaluation {clock.Elapsed.TotalSeconds:0} s"));

        var results = new List<BenchResult>();
        var table = new Table().Border(TableBorder.Rounded).Title($"MoC (%) over {(only is null ? $"{dataset.SplitCount} splits" : $"split {string.Join(", ", splitNumbers)}")}: observe α, predict the next β");
        table.AddColumn("method");
        table.AddColumn("α");
        foreach (var b in AnticipationProtocol.Betas) table.AddColumn(new TableColumn(string.Create(CultureInfo.InvariantCulture, $"β {b}")).RightAligned());
        table.AddColumn(new TableColumn("average").RightAligned());
        var csv = new StringBuilder("method,alpha,beta,moc\n");
        foreach (var (method, splits) in methods)
        {
            var mocs = new List<double>();
            for (int c = 0; c < splits[0].Count; c++)
            {
                var cell = splits[0][c];
                double moc = 100 * splits.Average(s => s[c].Moc);
                mocs.Add(moc);
                results.Add(new BenchResult(string.Create(CultureInfo.InvariantCulture, $"{method} moc alpha={cell.Alpha} beta={cell.Beta}"), "MoC %", moc));
                csv.Append(CultureInfo.InvariantCulture, $"{method},{cell.Alpha},{cell.Beta},{moc:0.###}\n");
            }
            results.Add(new BenchResult($"{method} moc average", "MoC %", mocs.Average()));
            int betas = AnticipationProtocol.Betas.Length;
            for (int a = 0; a < AnticipationProtocol.Alphas.Length; a++)
            {
                var row = new List<string> { a == 0 ? method : "", AnticipationProtocol.Alphas[a].ToString(CultureInfo.InvariantCulture) };
                row.AddRange(mocs.Skip(a * betas).Take(betas).Select(m => m.ToString("0.0", CultureInfo.InvariantCulture)));
                row.Add(a == 0 ? mocs.Average().ToString("0.0", CultureInfo.InvariantCulture) : "");
                table.AddRow(row.ToArray());
            }
        }
        AnsiConsole.Write(table);
        if (jsonPath is not null) ResultsFile.Write(jsonPath, "streaming eval lta", results);
        if (csvPath is not null) File.WriteAllText(csvPath, csv.ToString());
        return 0;
    }
}
