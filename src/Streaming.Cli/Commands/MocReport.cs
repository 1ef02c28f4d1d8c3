using System.Globalization;
using System.Text;
using Spectre.Console;
using Streaming.Cli.Bench;
using Streaming.Models.Anticipation;

namespace Streaming.Cli.Commands;

/// <summary>
/// The α x β table of Mean over Classes accuracy per method, averaged over splits, on the console and as JSON and CSV.
/// A method run with several seeds shows the mean over the seeds ± their sample standard deviation (JSON: <c>std</c>).
/// </summary>
public static class MocReport
{
    /// <param name="methods">method -> seed -> split -> cells; a method without seeds has one.</param>
    /// <param name="extra">Further rows for the results file (the validation scores of the choices made).</param>
    public static void Write(string title, IReadOnlyDictionary<string, List<List<IReadOnlyList<MocCell>>>> methods, string? jsonPath, string? csvPath,
        IEnumerable<BenchResult>? extra = null)
    {
        var results = new List<BenchResult>();
        var table = new Table().Border(TableBorder.Rounded).Title(title);
        table.AddColumn("method");
        table.AddColumn("α");
        foreach (var b in AnticipationProtocol.Betas) table.AddColumn(new TableColumn(string.Create(CultureInfo.InvariantCulture, $"β {b}")).RightAligned());
        table.AddColumn(new TableColumn("average").RightAligned());
        var csv = new StringBuilder("method,alpha,beta,moc,std\n");
        foreach (var (method, seeds) in methods)
        {
            // per seed: each cell averaged over the splits, in %
            var perSeed = seeds.Select(splits => Enumerable.Range(0, splits[0].Count).Select(c => 100 * splits.Average(s => s[c].Moc)).ToArray()).ToList();
            var cells = seeds[0][0];
            var shown = new List<string>();
            for (int c = 0; c < cells.Count; c++)
            {
                var (mean, std) = MeanStd(perSeed.Select(s => s[c]).ToList());
                results.Add(new BenchResult(string.Create(CultureInfo.InvariantCulture, $"{method} moc alpha={cells[c].Alpha} beta={cells[c].Beta}"), "MoC %", mean, Std: std));
                csv.Append(CultureInfo.InvariantCulture, $"{method},{cells[c].Alpha},{cells[c].Beta},{mean:0.###},{(std is { } s ? s.ToString("0.###", CultureInfo.InvariantCulture) : "")}\n");
                shown.Add(Format(mean, std));
            }
            var (average, averageStd) = MeanStd(perSeed.Select(s => s.Average()).ToList());
            results.Add(new BenchResult($"{method} moc average", "MoC %", average, Std: averageStd));
            int betas = AnticipationProtocol.Betas.Length;
            for (int a = 0; a < AnticipationProtocol.Alphas.Length; a++)
            {
                var row = new List<string> { a == 0 ? Markup.Escape(method) : "", AnticipationProtocol.Alphas[a].ToString(CultureInfo.InvariantCulture) };
                row.AddRange(shown.Skip(a * betas).Take(betas));
                row.Add(a == 0 ? Format(average, averageStd) : "");
                table.AddRow(row.ToArray());
            }
        }
        AnsiConsole.Write(table);
        if (extra is not null) results.AddRange(extra);
        if (jsonPath is not null) ResultsFile.Write(jsonPath, "streaming eval lta", results);
        if (csvPath is not null) File.WriteAllText(csvPath, csv.ToString());
    }

    /// <summary>The mean and, for two or more values, the sample standard deviation.</summary>
    static (double Mean, double? Std) MeanStd(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return (mean, values.Count < 2 ? null : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)));
    }

    static string Format(double mean, double? std) => std is { } s
        ? string.Create(CultureInfo.InvariantCulture, $"{mean:0.0} ± {s:0.0}")
        : mean.ToString("0.0", CultureInfo.InvariantCulture);
}
