using System.Globalization;

namespace Streaming.Models.Datasets;

/// <summary>
/// The ten random 5/5 subject splits of Vemulapalli et al. as derived/tr_te_splits_random10.txt holds them, one line per
/// split: <c>split_idx train_subjects | test_subjects</c>, lines starting with # are comments.
/// </summary>
public static class SubjectSplits
{
    public const int Count = 10;

    /// <summary>The subjects that train in split <paramref name="split"/> (1-10) of <paramref name="path"/>; the others test.</summary>
    public static IReadOnlySet<int> TrainSubjects(string path, string dataset, int split)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{dataset}: subject splits not found at {path}.", path);
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.StartsWith('#') || line.Trim().Length == 0) continue;
            var halves = line.Split('|');
            var head = halves[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (halves.Length != 2 || head.Length < 2) throw new FormatException($"{path}:{lineNumber}: expected 'split train subjects | test subjects', got '{line}'.");
            if (Number(head[0], path, lineNumber) != split) continue;
            return head.Skip(1).Select(s => Number(s, path, lineNumber)).ToHashSet();
        }
        throw new ArgumentOutOfRangeException(nameof(split), $"{dataset}: split {split} is not in {path} (splits 1-{Count}).");
    }

    static int Number(string text, string path, int lineNumber) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n
            : throw new FormatException($"{path}:{lineNumber}: '{text}' is not a number.");
}
