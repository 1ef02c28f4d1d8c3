using System.Globalization;
using System.Text;
using Spectre.Console;
using Streaming.Cli.Bench;
using Streaming.Models.LlmAr;

namespace Streaming.Cli.Commands;

/// <summary>The rows of <c>eval recognition</c>: one table on the console, and the same results as JSON and CSV.</summary>
public static class RecognitionReport
{
    public const string Command = "streaming eval recognition";

    public static void Write(IReadOnlyList<RecognitionRow> rows, TimeSpan total, string? jsonPath, string? csvPath)
    {
        var protocols = rows.Select(r => r.Protocol).Distinct().Select(p => $"({RecognitionProtocols.Letter(p)}) {RecognitionProtocols.Key(p)}");
        var table = new Table().Border(TableBorder.Rounded)
            .Title("Top-1 test accuracy (%, mean ± sd over folds) and the cost of each stage")
            .Caption(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{string.Join("; ", protocols)}. tok s, train s: seconds per fold training the tokenizer and the recognizer (or classifier); " +
                $"shared: the LLM-AR row's; trained: values the recognizer stage fits (adapter, action tokens, head; a baseline's weights); ms/clip: evaluation. Whole evaluation {total.TotalSeconds:0} s on {Environment.ProcessorCount} cores, " +
                $"{ResultsFile.CpuModel()} ({ResultsFile.InstructionSet()}).")));
        table.AddColumn("");
        table.AddColumn("method");
        table.AddColumn(new TableColumn("accuracy %").RightAligned());
        table.AddColumn(new TableColumn("tok s").RightAligned());
        table.AddColumn(new TableColumn("train s").RightAligned());
        table.AddColumn(new TableColumn("trained").RightAligned());
        table.AddColumn(new TableColumn("ms/clip").RightAligned());
        var results = new List<BenchResult>();
        var csv = new StringBuilder("protocol,method,folds,accuracy,sd_over_folds,tokenizer_s_per_fold,training_s_per_fold,trained_parameters,eval_ms_per_clip\n");
        RecognitionProtocol? last = null;
        foreach (var row in rows)
        {
            var key = RecognitionProtocols.Key(row.Protocol);
            var name = $"{key} {row.Method}";
            bool folds = row.FoldAccuracies.Count > 1;
            if (last is not null && last != row.Protocol) table.AddEmptyRow();
            table.AddRow(
                last == row.Protocol ? "" : $"({RecognitionProtocols.Letter(row.Protocol)})",
                Markup.Escape(row.Method),
                folds ? $"{Percent(row.Accuracy)} ± {Percent(Deviation(row.FoldAccuracies))}" : Percent(row.Accuracy),
                Seconds(row.TokenizerSecondsPerFold, row.Method),
                Seconds(row.TrainingSecondsPerFold, row.Method),
                row.TrainedParameters is { } count ? Count(count) : "shared",
                row.EvaluationMsPerClip.ToString("0.00", CultureInfo.InvariantCulture));
            last = row.Protocol;

            results.Add(new BenchResult($"{name} accuracy", "accuracy", row.Accuracy));
            if (folds)
                for (int k = 0; k < row.FoldAccuracies.Count; k++)
                    results.Add(new BenchResult(string.Create(CultureInfo.InvariantCulture, $"{name} accuracy fold {k + 1}"), "accuracy", row.FoldAccuracies[k]));
            if (row.TokenizerSecondsPerFold is { } tokenizer) results.Add(new BenchResult($"{name} tokenizer", "s per fold", tokenizer));
            if (row.TrainingSecondsPerFold is { } training) results.Add(new BenchResult($"{name} training", "s per fold", training));
            if (row.TrainedParameters is { } parameters) results.Add(new BenchResult($"{name} trained parameters", "count", parameters));
            results.Add(new BenchResult($"{name} evaluation", "ms per clip", row.EvaluationMsPerClip));
            csv.Append(CultureInfo.InvariantCulture,
                $"{key},{row.Method},{row.FoldAccuracies.Count},{row.Accuracy:0.####},{Deviation(row.FoldAccuracies):0.####},{row.TokenizerSecondsPerFold:0.##},{row.TrainingSecondsPerFold:0.##},{row.TrainedParameters},{row.EvaluationMsPerClip:0.###}\n");
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
