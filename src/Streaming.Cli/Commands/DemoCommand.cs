using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Streaming.Models.Datasets;
using Streaming.Models.Recognition;

namespace Streaming.Cli.Commands;

/// <summary>
/// <c>streaming demo</c>: for now, the engine end to end on real data: trains a skeleton action classifier
/// on MSR Action3D (cross-subject protocol) with a progress bar and prints its test accuracy per class.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The shared data folder that holds msr-action3d/.", DefaultValueFactory = _ => DataFolder.Default() };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => new SkeletonTrainingOptions().Epochs };
        var seed = new Option<int>("--seed") { Description = "Seed for initialization, shuffling and dropout.", DefaultValueFactory = _ => 1 };
        var command = new Command("demo", "Trains a skeleton action classifier on MSR Action3D (odd subjects train, even subjects test) on the engine and prints its accuracy.")
        {
            data, epochs, seed,
        };
        command.SetAction(parse => Run(parse.GetValue(data)!, parse.GetValue(epochs), parse.GetValue(seed)));
        return command;
    }

    static int Run(string dataRoot, int epochs, int seed)
    {
        var root = Path.Combine(dataRoot, "msr-action3d");
        AnsiConsole.MarkupLine($"[bold]MSR Action3D[/] from [grey]{Markup.Escape(Path.GetFullPath(root))}[/]");
        var samples = MsrAction3D.Load(root);
        var options = new SkeletonTrainingOptions(Epochs: epochs, Seed: seed);
        SkeletonTrainingResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: 1);
                var reporter = new InlineProgress<TrainingProgress>(p =>
                {
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:0.000} {p.StepsPerSecond:0} steps/s");
                });
                result = SkeletonClassifierTraining.Run(samples, options, reporter);
            });
        var r = result!;
        var names = ActionNames(root);
        var table = new Table().Border(TableBorder.Rounded).Title("test accuracy per action (even subjects)");
        table.AddColumn("action");
        table.AddColumn(new TableColumn("accuracy").RightAligned());
        for (int c = 0; c < r.TestAccuracyPerClass.Length; c++)
            table.AddRow(Markup.Escape(names.GetValueOrDefault(c + 1, $"action {c + 1}")), r.TestAccuracyPerClass[c].ToString("P0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]cross-subject accuracy:[/] test {r.TestAccuracy:P1} ({r.TestSamples} sequences), train {r.TrainAccuracy:P1} ({r.TrainSamples}); {r.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }

    static Dictionary<int, string> ActionNames(string root)
    {
        var path = Path.Combine(root, "derived", "action_names.txt");
        if (!File.Exists(path)) return [];
        return File.ReadLines(path).Select(l => l.Split(' ', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => int.Parse(p[0], CultureInfo.InvariantCulture), p => p[1]);
    }
}
