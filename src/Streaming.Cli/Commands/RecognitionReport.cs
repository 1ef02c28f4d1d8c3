using System.Globalization;
using System.Text;
using Spectre.Console;
using Streaming.Cli.Bench;
using Streaming.Models.LlmAr;

namespace Streaming.Cli.Commands;

/// <summary>The rows one seed's run of <c>eval recognition</c> gave.</summary>
public sealed record SeedRows(int Seed, IReadOnlyList<RecognitionRow> Rows);

/// <summary>
/// The rows of <c>eval recognition</c>: one table on the console, and the same results as JSON and CSV. Over several seeds
/// a row is a method on a protocol under every seed: its accuracy the mean over the seeds ± their sample sd, each seed's
/// beside it, its costs the mean over the seeds.
/// </summary>
public static class RecognitionReport
{
    public const string Command = "streaming eval recognition";

    public static void Write(IReadOnlyList<SeedRows> seeds, TimeSpan total, string? jsonPath, string? csvPath)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        bool several = seeds.Count > 1;
        var groups = seeds.SelectMany(s => s.Rows.Select(r => (s.Seed, Row: r)))
            .GroupBy(x => (x.Row.Protocol, x.Row.Method))
            .Select(g => g.ToList()).ToList();
        var protocols = groups.Select(g => g[0].Row.Protocol).Distinct().Select(p => $"({RecognitionProtocols.Letter(p)}) {RecognitionProtocols.Key(p)}");
        var table = new Table().Border(TableBorder.Rounded)
            .Title(several
                ? $"Top-1 test accuracy (%, mean ± sd over seeds {string.Join(", ", seeds.Select(s => s.Seed))}; each seed's the mean over folds) and the cost of each stage"
                : "Top-1 test accuracy (%, mean ± sd over folds) and the cost of each stage")
            .Caption(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{string.Join("; ", protocols)}. tok s, train s: seconds per fold training the tokenizer and the recognizer (or classifier){(several ? ", the mean over seeds" : "")}; " +
                $"shared: the LLM-AR row's; trained: values the recognizer stage fits (adapter, action tokens, head; a baseline's weights); ms/clip: evaluation. Whole evaluation {total.TotalSeconds:0} s on {Environment.ProcessorCount} cores, " +
                $"{ResultsFile.CpuModel()} ({ResultsFile.InstructionSet()}).")));
        table.AddColumn("");
        table.AddColumn("method");
        table.AddColumn(new TableColumn("accuracy %").RightAligned());
        if (several) table.AddColumn(new TableColumn("per seed").RightAligned());
        table.AddColumn(new TableColumn("tok s").RightAligned());
        table.AddColumn(new TableColumn("train s").RightAligned());
        table.AddColumn(new TableColumn("trained").RightAligned());
        table.AddColumn(new TableColumn("ms/clip").RightAligned());
        var results = new List<BenchResult>();
        var csv = new StringBuilder("protocol,method,folds,accuracy,sd_over_folds,tokenizer_s_per_fold,training_s_per_fold,trained_parameters,eval_ms_per_clip,seeds,sd_over_seeds\n");
        RecognitionProtocol? last = null;
        foreach (var group in groups)
        {
            var row = group[0].Row;
            var key = RecognitionProtocols.Key(row.Protocol);
            var name = $"{key} {row.Method}";
            bool folds = row.FoldAccuracies.Count > 1;
            var accuracies = group.Select(x => x.Row.Accuracy).ToList();
            double accuracy = accuracies.Average();
            double? seedSd = several ? SampleDeviation(accuracies) : null;
            double? tokenizerS = Mean(group.Select(x => x.Row.TokenizerSecondsPerFold)), trainingS = Mean(group.Select(x => x.Row.TrainingSecondsPerFold));
            double evaluationMs = group.Average(x => x.Row.EvaluationMsPerClip);
            if (last is not null && last != row.Protocol) table.AddEmptyRow();
            var cells = new List<string>
            {
                last == row.Protocol ? "" : $"({RecognitionProtocols.Letter(row.Protocol)})",
                Markup.Escape(row.Method),
                several ? $"{Percent(accuracy)} ± {Percent(seedSd!.Value)}" : folds ? $"{Percent(accuracy)} ± {Percent(Deviation(row.FoldAccuracies))}" : Percent(accuracy),
            };
            if (several) cells.Add(string.Join(" / ", accuracies.Select(Percent)));
            cells.AddRange([Seconds(tokenizerS, row.Method), Seconds(trainingS, row.Method),
                row.TrainedParameters is { } count ? Count(count) : "shared", evaluationMs.ToString("0.00", CultureInfo.InvariantCulture)]);
            table.AddRow([.. cells]);
            last = row.Protocol;

            results.Add(new BenchResult($"{name} accuracy", "accuracy", accuracy, Std: seedSd));
            foreach (var (seed, seedRow) in group)
            {
                var prefix = several ? string.Create(CultureInfo.InvariantCulture, $"{name} accuracy seed {seed}") : $"{name} accuracy";
                if (several) results.Add(new BenchResult(prefix, "accuracy", seedRow.Accuracy));
                if (folds)
                    for (int k = 0; k < seedRow.FoldAccuracies.Count; k++)
                        results.Add(new BenchResult(string.Create(CultureInfo.InvariantCulture, $"{prefix} fold {k + 1}"), "accuracy", seedRow.FoldAccuracies[k]));
            }
            if (tokenizerS is { } tokenizer) results.Add(new BenchResult($"{name} tokenizer", "s per fold", tokenizer));
            if (trainingS is { } training) results.Add(new BenchResult($"{name} training", "s per fold", training));
            if (row.TrainedParameters is { } parameters) results.Add(new BenchResult($"{name} trained parameters", "count", parameters));
            results.Add(new BenchResult($"{name} evaluation", "ms per clip", evaluationMs));
            csv.Append(CultureInfo.InvariantCulture,
                $"{key},{row.Method},{row.FoldAccuracies.Count},{accuracy:0.####},{group.Average(x => Deviation(x.Row.FoldAccuracies)):0.####},{tokenizerS:0.##},{trainingS:0.##},{row.TrainedParameters},{evaluationMs:0.###},{group.Count},{seedSd:0.####}\n");
        }
        results.Add(new BenchResult("total", "s", total.TotalSeconds));
        AnsiConsole.Write(table);
        if (jsonPath is not null) ResultsFile.Write(jsonPath, Command, results);
        if (csvPath is not null)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(csvPath));
            if (dir is not null) Directory.CreateDirectory(dir);
            File.WriteAllText(csvPath, csv.ToString());
        }
    }

    /// <summary>The mean of the values, null where any is (a stage another row's run paid for).</summary>
    static double? Mean(IEnumerable<double?> values)
    {
        var list = values.ToList();
        return list.Any(v => v is null) ? null : list.Average(v => v!.Value);
    }

    /// <summary>The sample standard deviation (n - 1), as <c>eval lta</c> reports over seeds.</summary>
    static double SampleDeviation(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    static double Deviation(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }

    /// <summary>A parameter count as people read it: 8.2k, 657k, 1.2M.</summary>
    static string Count(long count) => count switch
    {
        < 1_000 => count.ToString(CultureInfo.InvariantCulture),
        < 10_000 => (count / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + "k",
        < 1_000_000 => (count / 1e3).ToString("0", CultureInfo.InvariantCulture) + "k",
        _ => (count / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M",
    };

    static string Percent(double accuracy) => (100 * accuracy).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>A stage's seconds; "shared" where the row reused the LLM-AR row's, "-" where the method has no such stage.</summary>
    static string Seconds(double? seconds, string method) => seconds is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture)
        : method is RecognitionEvaluation.Mlp or RecognitionEvaluation.Logistic ? "-" : "shared";
}
