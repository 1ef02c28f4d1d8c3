using System.Globalization;
using System.Net;
using System.Text;

namespace Streaming.Service.Demo;

/// <summary>A labelled span of a stream, in seconds from the stream's first frame.</summary>
public sealed record TimelineSegment(string Label, double Start, double End);

/// <summary>What one stream showed and what the pipeline made of it.</summary>
public sealed record StreamTimeline(string Stream, double Duration, IReadOnlyList<TimelineSegment> Truth, IReadOnlyList<TimelineSegment> Recognized,
    IReadOnlyList<TimelineSegment> Anticipated, double AnticipationLead);

/// <summary>
/// One self-contained HTML page with an SVG timeline per stream: the ground truth, the action recognized live, and the
/// action the pipeline had anticipated <see cref="StreamTimeline.AnticipationLead"/> seconds earlier for each moment;
/// or, for action-label streams, the ground truth and the futures anticipated at several moments (<see cref="AnticipationTimeline"/>).
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

    /// <summary>A row of a stream's chart: its name, its segments, and optionally a span to mark (a moment and the time it is scored over).</summary>
    sealed record Row(string Name, IReadOnlyList<TimelineSegment> Segments, (double From, double To)? Marked = null);

    /// <summary>The skeleton timeline: per stream the ground truth, what was recognized, and (with <paramref name="anticipation"/>) what had been anticipated.</summary>
    public static void Write(string path, string title, IReadOnlyList<StreamTimeline> streams, bool anticipation = true) =>
        Write(path, title, streams.Select(s => (s.Stream, s.Duration, (IReadOnlyList<Row>)
        [
            // Live camera clips have no labels: no ground-truth row rather than an empty one.
            .. s.Truth.Count > 0 ? [new Row("ground truth", s.Truth)] : Array.Empty<Row>(),
            new Row("recognized", s.Recognized),
            .. anticipation ? [new Row(string.Create(CultureInfo.InvariantCulture, $"anticipated {s.AnticipationLead:0.#} s ahead"), s.Anticipated)] : Array.Empty<Row>(),
        ])).ToList());

    /// <summary>
    /// The anticipation timeline: per activity the ground truth, then one row per moment with what had been anticipated
    /// then (drawn from the moment on), the scored span outlined, and the accuracy in the row's name.
    /// </summary>
    public static void Write(string path, string title, IReadOnlyList<AnticipationTimeline> activities) =>
        Write(path, title, activities.Select(a => (a.Stream, a.Duration, (IReadOnlyList<Row>)
        [
            new Row("ground truth", a.Truth),
            .. a.Moments.Select(m => new Row(string.Create(CultureInfo.InvariantCulture, $"at {m.Fraction:0%}: {m.Accuracy:0%}"), m.Anticipated, (m.At, Math.Min(m.At + m.Horizon, a.Duration)))),
        ])).ToList());

    static void Write(string path, string title, IReadOnlyList<(string Stream, double Duration, IReadOnlyList<Row> Rows)> streams)
    {
        var labels = streams.SelectMany(s => s.Rows).SelectMany(r => r.Segments).Select(s => s.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        var colour = labels.Select((l, i) => (l, Palette[i % Palette.Length])).ToDictionary(p => p.l, p => p.Item2);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}h2{font-size:15px;margin:18px 0 4px}")
            .Append(".legend span{display:inline-block;margin:0 12px 4px 0;font-size:13px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}")
            .Append("svg text{font-size:12px}</style></head><body>\n<h1 style=\"font-size:18px\">").Append(WebUtility.HtmlEncode(title)).Append("</h1>\n<div class=\"legend\">");
        foreach (var label in labels)
            html.Append(CultureInfo.InvariantCulture, $"<span><i style=\"background:{colour[label]}\"></i>{WebUtility.HtmlEncode(label)}</span>");
        html.Append("</div>\n");
        foreach (var (stream, duration, rows) in streams) AppendStream(html, stream, duration, rows, colour);
        html.Append("</body></html>\n");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, html.ToString());
    }

    static void AppendStream(StringBuilder html, string stream, double streamDuration, IReadOnlyList<Row> rows, Dictionary<string, string> colour)
    {
        int height = Top + rows.Count * (RowHeight + RowGap) + 18;
        double duration = Math.Max(streamDuration, 1e-3), scale = (Width - Left - 10) / duration;
        html.Append("<h2>").Append(WebUtility.HtmlEncode(stream)).Append("</h2>\n")
            .Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\">\n");
        for (int r = 0; r < rows.Count; r++)
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
            if (rows[r].Marked is var (from, to))
                html.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{Left + Math.Clamp(from, 0, duration) * scale:0.#}\" y=\"{y - 2}\" width=\"{Math.Max(0, Math.Min(to, duration) - from) * scale:0.#}\" height=\"{RowHeight + 4}\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\"/>\n");
        }
        int axis = Top + rows.Count * (RowHeight + RowGap) + 12;
        double step = duration > 300 ? 60 : duration > 60 ? 10 : duration > 20 ? 5 : 1;
        for (double t = 0; t <= duration; t += step)
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + t * scale:0.#}\" y=\"{axis}\" text-anchor=\"middle\">{t:0} s</text>");
        html.Append("\n</svg>\n");
    }
}
