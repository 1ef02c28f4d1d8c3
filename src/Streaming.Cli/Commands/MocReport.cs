using System.Globalization;
using System.Text;
using Spectre.Console;
using Streaming.Cli.Bench;
using Streaming.Models.Anticipation;

namespace Streaming.Cli.Commands;

/// <summary>The α x β table of Mean over Classes accuracy per method, averaged over splits, on the console and as JSON and CSV.</summary>
public static class MocReport
{
    /// <param name="methods">method -> the cells of each split.</param>
    public static void Write(string title, IReadOnlyDictionary<string, List<IReadOnlyList<MocCell>>> methods, string? jsonPath, string? csvPath)
    {
        var results = new List<BenchResult>();
        var table = new Table().Border(TableBorder.Rounded).Title(title);
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
    }
}
