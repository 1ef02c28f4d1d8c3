using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Streaming.Cli.Bench;
using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;

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
        var command = new Command("lta",
            "Long-term action anticipation (Abu Farha et al. 2018): observe alpha in {0.2, 0.3} of each test video's ground-truth labels, predict the next " +
            "beta in {0.1, 0.2, 0.3, 0.5}; Mean over Classes accuracy per split, averaged over all splits. Scores the baselines repeat-last and " +
            "first-order transitions with mean durations (trained on each split's training videos).")
        {
            data, json, csv,
        };
        command.SetAction(parse => Run(parse.GetValue(data)!, parse.GetValue(json), parse.GetValue(csv)));
        return command;
    }

    static int Run(string root, string? jsonPath, string? csvPath)
    {
        var dataset = FrameLabelDataset.Open(root);
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(Path.GetFullPath(root)))}[/]: {dataset.Actions.Count} actions, {dataset.SplitCount} splits");
        // method -> per split cells
        var methods = new Dictionary<string, List<IReadOnlyList<MocCell>>> { ["repeat-last"] = [], ["transitions"] = [] };
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("splits", maxValue: dataset.SplitCount);
                for (int k = 1; k <= dataset.SplitCount; k++)
                {
                    task.Description = $"split {k}";
                    var (train, test) = dataset.Split(k);
                    var transitions = TransitionAnticipator.Train(train.Select(v => AnticipationProtocol.Runs(v.Labels)), dataset.Actions);
                    methods["repeat-last"].Add(AnticipationProtocol.Evaluate(test, dataset.Actions.Count, AnticipationProtocol.RepeatLast));
                    methods["transitions"].Add(AnticipationProtocol.Evaluate(test, dataset.Actions.Count, AnticipationProtocol.Transitions(transitions)));
                    task.Increment(1);
                }
            });

        var results = new List<BenchResult>();
        var table = new Table().Border(TableBorder.Rounded).Title($"MoC (%) over {dataset.SplitCount} splits: observe α, predict the next β");
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
