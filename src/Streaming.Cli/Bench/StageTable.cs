using System.Globalization;
using Spectre.Console;

namespace Streaming.Cli.Bench;

/// <summary>Prints where the end-to-end latency of the Kafka path goes: per stream count, each stage's p50, p95 and p99.</summary>
public static class StageTable
{
    public static void Print(string title, IReadOnlyList<StageLatency> stages)
    {
        var table = new Table().Title(title).Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("S").RightAligned());
        table.AddColumn("stage");
        table.AddColumn("spans");
        table.AddColumn(new TableColumn("p50 ms").RightAligned());
        table.AddColumn(new TableColumn("p95 ms").RightAligned());
        table.AddColumn(new TableColumn("p99 ms").RightAligned());
        foreach (var s in stages)
            table.AddRow(s.Streams.ToString(CultureInfo.InvariantCulture), Markup.Escape(s.Stage), Markup.Escape(s.Span), Ms(s.P50), Ms(s.P95), Ms(s.P99));
        AnsiConsole.Write(table);
    }

    static string Ms(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
}
