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

/// <summary><c>streaming eval ...</c>: the published evaluation protocols, as tables, JSON (docs/results-format.md) and CSV.</summary>
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
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path (format: docs/results-format.md)." };
        var csv = new Option<string?>("--csv") { Description = "Also write the tables as CSV (method, alpha, beta, moc) to this path." };
        var methods = new Option<string>("--methods") { Description = "Comma-separated: repeat-last, transitions, actionllm.", DefaultValueFactory = _ => "repeat-last,transitions,actionllm" };
        var splits = new Option<string?>("--splits") { Description = "Comma-separated splits to run (default: all); the table averages those." };
        var actionLlmOptions = new ActionLlmOptions();
        var command = new Command("lta",
            "Long-term action anticipation (Abu Farha et al. 2018): observe alpha in {0.2, 0.3} of each test video's ground-truth labels, predict the next " +
            "beta in {0.1, 0.2, 0.3, 0.5}; Mean over Classes accuracy per split, averaged over all splits. Scores ActionLLM (trained on each split's " +
            "training videos on the frozen --lm) and the baselines repeat-last and first-order transitions with mean durations.")
        {
            data, json, csv, methods, splits,
        };
        actionLlmOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var chosen = parse.GetValue(methods)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var m in chosen)
                if (m is not ("repeat-last" or "transitions" or "actionllm"))
                    throw new ArgumentException($"eval lta --methods: unknown method '{m}' (repeat-last, transitions, actionllm).");
            var actionLlm = actionLlmOptions.Setup(parse);
            var only = parse.GetValue(splits)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(k => int.TryParse(k, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"eval lta --splits: '{k}' is not a split number.")).ToArray();
            return Run(parse.GetValue(data)!, parse.GetValue(json), parse.GetValue(csv), chosen, only, actionLlm);
        });
        return command;
    }

    static int Run(string root, string? jsonPath, string? csvPath, IReadOnlyList<string> chosen, int[]? only, ActionLlmSetup actionLlm)
    {
        var dataset = FrameLabelDataset.Open(root);
        var splitNumbers = only ?? [.. Enumerable.Range(1, dataset.SplitCount)];
        foreach (var k in splitNumbers)
            if (k < 1 || k > dataset.SplitCount) throw new ArgumentException($"eval lta --splits: split {k} does not exist (1..{dataset.SplitCount}).");
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(Path.GetFullPath(root)))}[/]: {dataset.Actions.Count} actions, {dataset.SplitCount} splits");
        (actionLlm, var inputs) = actionLlm.For(dataset);
        if (chosen.Contains("actionllm")) AnsiConsole.WriteLine(inputs);
        // method -> per split cells
        var methods = chosen.ToDictionary(m => m, _ => new List<IReadOnlyList<MocCell>>());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var runs = new List<ActionLlmTrainingRun>();
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
                        var run = actionLlm.Train(dataset, train, k, training);
                        runs.Add(run);
                        llm.Add(actionLlm.Evaluate(run.Model, test, dataset.Actions.Count));
                    }
                    task.Increment(1);
                }
            });
        if (runs.Count > 0)
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"training: {ActionLlmTrainingRun.Describe(runs)}; {runs.Count} splits; whole evaluation {clock.Elapsed.TotalSeconds:0} s")));

        MocReport.Write($"MoC (%) over {(only is null ? $"{dataset.SplitCount} splits" : $"split {string.Join(", ", splitNumbers)}")}: observe α, predict the next β",
            methods, jsonPath, csvPath);
        return 0;
    }
}
