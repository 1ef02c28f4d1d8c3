using System.Globalization;
using Spectre.Console;

namespace Streaming.Cli.Bench;

/// <summary>Prints results as a table: name, metric, ours, the peer and the ratio.</summary>
public static class ResultsTable
{
    public static void Print(string title, IReadOnlyList<BenchResult> results)
    {
        var table = new Table().Title(title).Border(TableBorder.Rounded);
        table.AddColumn("name");
        table.AddColumn("metric");
        table.AddColumn(new TableColumn("value").RightAligned());
        table.AddColumn("peer");
        table.AddColumn(new TableColumn("peer value").RightAligned());
        table.AddColumn(new TableColumn("ratio").RightAligned());
        foreach (var r in results)
        {
            table.AddRow(
                Markup.Escape(r.Name),
                Markup.Escape(r.Metric),
                Number(r.Value),
                Markup.Escape(r.Peer ?? ""),
                r.PeerValue is { } pv ? Number(pv) : "",
                r.Ratio is { } ratio ? ratio.ToString("0.000", CultureInfo.InvariantCulture) : "");
        }
        AnsiConsole.Write(table);
    }

    static string Number(double v) => v.ToString(Math.Abs(v) >= 100 ? "0.0" : "0.000", CultureInfo.InvariantCulture);
}
