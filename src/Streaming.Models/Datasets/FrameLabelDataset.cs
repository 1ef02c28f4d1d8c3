using System.Globalization;

namespace Streaming.Models.Datasets;

/// <summary>One video of a frame-label dataset: its name, one action index per frame, and its feature file if any.</summary>
public sealed record LabelledVideo(string Name, int[] Labels, string? FeaturesPath);

/// <summary>
/// The frame-label layout of the action segmentation and anticipation literature (50 Salads, Breakfast, GTEA):
/// <c>groundTruth/&lt;video&gt;.txt</c> with one action name per frame, a mapping file of <c>&lt;index&gt; &lt;name&gt;</c>
/// lines (<c>mapping.txt</c> or Breakfast's <c>mapping_bf.txt</c>), split lists in either convention seen in the wild
/// (<c>splits/train.splitK.bundle</c> as MS-TCN, or <c>splits/splitK.train</c> with a <c>#bundle</c> header and
/// path prefixes as in ../shared/data/50salads), and optional <c>features/&lt;video&gt;.npy</c> matrices [D, T].
/// </summary>
public sealed class FrameLabelDataset
{
    readonly Dictionary<string, int> actionIndex;

    FrameLabelDataset(string root, string[] actions, int splits)
    {
        (Root, Actions, SplitCount) = (root, actions, splits);
        actionIndex = actions.Select((a, i) => (a, i)).ToDictionary(p => p.a, p => p.i, StringComparer.Ordinal);
    }

    public string Root { get; }

    /// <summary>Action names by index.</summary>
    public IReadOnlyList<string> Actions { get; }

    /// <summary>Number of splits (K of splitK), counted from the split files present.</summary>
    public int SplitCount { get; }

    public static FrameLabelDataset Open(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"frame-label dataset: folder {root} not found.");
        var mapping = new[] { "mapping.txt", "mapping_bf.txt" }.Select(m => Path.Combine(root, m)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"frame-label dataset: no mapping.txt or mapping_bf.txt in {root}.");
        var actions = new List<string>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(mapping))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int index) || index != actions.Count)
                throw new FormatException($"{mapping}:{lineNumber}: expected '<index> <name>' with index {actions.Count}, got '{line}'.");
            if (actions.Contains(parts[1])) throw new FormatException($"{mapping}:{lineNumber}: action '{parts[1]}' appears twice.");
            actions.Add(parts[1]);
        }
        if (actions.Count == 0) throw new FormatException($"{mapping}: no actions.");
        int splits = 0;
        while (SplitFile(root, splits + 1, train: true) is not null) splits++;
        if (splits == 0) throw new FileNotFoundException($"frame-label dataset: no split files in {Path.Combine(root, "splits")} (train.split1.bundle or split1.train).");
        return new FrameLabelDataset(root, actions.ToArray(), splits);
    }

    /// <summary>The training and test videos of split <paramref name="k"/> (1-based).</summary>
    public (IReadOnlyList<LabelledVideo> Train, IReadOnlyList<LabelledVideo> Test) Split(int k)
    {
        if (k < 1 || k > SplitCount) throw new ArgumentOutOfRangeException(nameof(k), $"frame-label dataset: split {k} does not exist (1..{SplitCount}).");
        return (Videos(SplitFile(Root, k, train: true)!), Videos(SplitFile(Root, k, train: false)
            ?? throw new FileNotFoundException($"frame-label dataset: split {k} has a training list but no test list in {Path.Combine(Root, "splits")}.")));
    }

    /// <summary>Every video of the dataset (groundTruth/*.txt), by name.</summary>
    public IReadOnlyList<LabelledVideo> AllVideos() =>
        [.. Directory.GetFiles(Path.Combine(Root, "groundTruth"), "*.txt").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).Select(n => Video(n!))];

    /// <summary>Reads one video's labels; every label must be in the mapping and the video must not be empty.</summary>
    public LabelledVideo Video(string name)
    {
        var path = Path.Combine(Root, "groundTruth", name + ".txt");
        if (!File.Exists(path)) throw new FileNotFoundException($"frame-label dataset: video '{name}' is listed in a split but {path} does not exist.", path);
        var labels = new List<int>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var label = raw.Trim();
            if (label.Length == 0) continue;
            if (!actionIndex.TryGetValue(label, out int index))
                throw new FormatException($"{path}:{lineNumber}: label '{label}' is not in the mapping ({Actions.Count} actions).");
            labels.Add(index);
        }
        if (labels.Count == 0) throw new FormatException($"{path}: the video has no labelled frames.");
        var features = Path.Combine(Root, "features", name + ".npy");
        return new LabelledVideo(name, labels.ToArray(), File.Exists(features) ? features : null);
    }

    IReadOnlyList<LabelledVideo> Videos(string splitFile)
    {
        var videos = new List<LabelledVideo>();
        foreach (var raw in File.ReadLines(splitFile))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            // Entries are "rgb-01-1.txt", "rgb-01-1" or "./data_salad/groundTruth/rgb-01-1.txt".
            var name = Path.GetFileName(line);
            if (name.EndsWith(".txt", StringComparison.Ordinal)) name = name[..^4];
            videos.Add(Video(name));
        }
        if (videos.Count == 0) throw new FormatException($"{splitFile}: the split lists no videos.");
        return videos;
    }

    static string? SplitFile(string root, int k, bool train)
    {
        string kind = train ? "train" : "test";
        return new[] { $"{kind}.split{k}.bundle", $"split{k}.{kind}" }
            .Select(f => Path.Combine(root, "splits", f)).FirstOrDefault(File.Exists);
    }
}
