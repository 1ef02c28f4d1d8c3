using Streaming.Models.Datasets;

namespace Streaming.Models.Anticipation;

/// <summary>
/// A validation set carved from a split's training videos, on which choices are made before the test videos are scored:
/// every <c>every</c>-th video of each activity in name order, so each activity keeps its share. A video's activity is
/// the last '_'-separated part of its name, as in Breakfast (P03_cam01_P03_cereals: cereals); names without '_'
/// (50 Salads' rgb-01-1, one activity) form one group.
/// </summary>
public static class ValidationSplit
{
    public static (IReadOnlyList<LabelledVideo> Fit, IReadOnlyList<LabelledVideo> Validation) Carve(IReadOnlyList<LabelledVideo> train, int every)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (every < 2) throw new ArgumentOutOfRangeException(nameof(every), $"validation: one video in {every} leaves nothing to train on; use 2 or more.");
        if (train.Count < 2) throw new ArgumentException($"validation: {train.Count} training video(s) cannot be split into training and validation.", nameof(train));
        var validation = new HashSet<string>(StringComparer.Ordinal);
        foreach (var activity in train.GroupBy(v => Activity(v.Name), StringComparer.Ordinal))
        {
            var videos = activity.OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
            for (int i = every - 1; i < videos.Count; i += every) validation.Add(videos[i].Name);
        }
        if (validation.Count == 0) validation.Add(train.OrderBy(v => v.Name, StringComparer.Ordinal).Last().Name);
        return ([.. train.Where(v => !validation.Contains(v.Name))], [.. train.Where(v => validation.Contains(v.Name))]);
    }

    public static string Activity(string videoName)
    {
        int cut = videoName.LastIndexOf('_');
        return cut < 0 ? "" : videoName[(cut + 1)..];
    }
}
