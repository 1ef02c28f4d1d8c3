namespace Streaming.Models.Datasets;

/// <summary>
/// Action sequences as text, the base language model's corpus: one document per video, its segments' actions in
/// order, one per line, each read as a phrase ("cut_tomato" -> "cut tomato"). A line starts without a space, so a
/// phrase tokenizes the same alone (as ActionLLM embeds a label) and inside a document.
/// </summary>
public static class ActionCorpus
{
    public static string Phrase(string action) => action.Replace('_', ' ');

    public static string Document(LabelledVideo video, IReadOnlyList<string> actions)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(actions);
        var lines = new List<string>();
        for (int i = 0; i < video.Labels.Length; i++)
            if (i == 0 || video.Labels[i] != video.Labels[i - 1])
                lines.Add(Phrase(actions[video.Labels[i]]));
        return string.Join('\n', lines);
    }

    public static IReadOnlyList<string> Documents(IEnumerable<LabelledVideo> videos, IReadOnlyList<string> actions) =>
        [.. videos.Select(v => Document(v, actions))];
}
