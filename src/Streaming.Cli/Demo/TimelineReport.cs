using System.Globalization;
using System.Net;
using System.Text;

namespace Streaming.Cli.Demo;

/// <summary>A labelled span of a stream, in seconds from the stream's first frame.</summary>
public sealed record TimelineSegment(string Label, double Start, double End);

/// <summary>What one stream showed and what the pipeline made of it.</summary>
public sealed record StreamTimeline(string Stream, double Duration, IReadOnlyList<TimelineSegment> Truth, IReadOnlyList<TimelineSegment> Recognized,
    IReadOnlyList<TimelineSegment> Anticipated, double AnticipationLead);

/// <summary>
/// One self-contained HTML page with an SVG timeline per stream: the ground truth, the action recognized live, and the
/// action the pipeline had anticipated <see cref="StreamTimeline.AnticipationLead"/> seconds earlier for each moment.
/// Colours are fixed per label across streams; hovering a bar shows its label and times.
/// </summary>
public static class TimelineReport
{
    const int Width = 960, Left = 120, RowHeight = 22, RowGap = 6, Top = 28;

    static readonly string[] Palette =
    [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
        "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8",
    ];

    public static void Write(string path, string title, IReadOnlyList<StreamTimeline> streams)
    {
        var labels = streams.SelectMany(s => s.Truth.Concat(s.Recognized).Concat(s.Anticipated)).Select(s => s.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        var colour = labels.Select((l, i) => (l, Palette[i % Palette.Length])).ToDictionary(p => p.l, p => p.Item2);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}h2{font-size:15px;margin:18px 0 4px}")
            .Append(".legend span{display:inline-block;margin:0 12px 4px 0;font-size:13px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}")
            .Append("svg text{font-size:12px}</style></head><body>\n<h1 style=\"font-size:18px\">").Append(WebUtility.HtmlEncode(title)).Append("</h1>\n<div class=\"legend\">");
        foreach (var label in labels)
            html.Append(CultureInfo.InvariantCulture, $"<span><i style=\"background:{colour[label]}\"></i>{WebUtility.HtmlEncode(label)}</span>");
        html.Append("</div>\n");
        foreach (var s in streams) AppendStream(html, s, colour);
        html.Append("</body></html>\n");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, html.ToString());
    }

    static void AppendStream(StringBuilder html, StreamTimeline s, Dictionary<string, string> colour)
    {
        var rows = new (string Name, IReadOnlyList<TimelineSegment> Segments)[]
        {
            ("ground truth", s.Truth),
            ("recognized", s.Recognized),
            (string.Create(CultureInfo.InvariantCulture, $"anticipated {s.AnticipationLead:0.#} s ahead"), s.Anticipated),
        };
        int height = Top + rows.Length * (RowHeight + RowGap) + 18;
        double duration = Math.Max(s.Duration, 1e-3), scale = (Width - Left - 10) / duration;
        html.Append("<h2>").Append(WebUtility.HtmlEncode(s.Stream)).Append("</h2>\n")
            .Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\">\n");
        for (int r = 0; r < rows.Length; r++)
        {
            int y = Top + r * (RowHeight + RowGap);
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 15}\">{WebUtility.HtmlEncode(rows[r].Name)}</text>")
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{y}\" width=\"{Width - Left - 10}\" height=\"{RowHeight}\" fill=\"#f3f3f3\"/>\n");
            foreach (var seg in rows[r].Segments)
            {
                double x0 = Left + Math.Clamp(seg.Start, 0, duration) * scale, x1 = Left + Math.Clamp(seg.End, 0, duration) * scale;
                if (x1 - x0 < 0.5) continue;
                html.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{x0:0.#}\" y=\"{y}\" width=\"{x1 - x0:0.#}\" height=\"{RowHeight}\" fill=\"{colour[seg.Label]}\"><title>{WebUtility.HtmlEncode(seg.Label)} {seg.Start:0.0}-{seg.End:0.0} s</title></rect>\n");
            }
        }
        int axis = Top + rows.Length * (RowHeight + RowGap) + 12;
        double step = duration > 60 ? 10 : duration > 20 ? 5 : 1;
        for (double t = 0; t <= duration; t += step)
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + t * scale:0.#}\" y=\"{axis}\" text-anchor=\"middle\">{t:0} s</text>");
        html.Append("\n</svg>\n");
    }
}
