using System.Globalization;
using Streaming.Tensors.IO;

namespace Streaming.Models.Datasets;

/// <summary>
/// The frame-label layout of the action segmentation and anticipation literature (50 Salads, Breakfast, GTEA):
/// <c>groundTruth/&lt;video&gt;.txt</c> with one action name per frame, a mapping file of <c>&lt;index&gt; &lt;name&gt;</c>
/// lines (<c>mapping.txt</c> or Breakfast's <c>mapping_bf.txt</c>), split lists in either convention seen in the wild
/// (<c>splits/train.splitK.bundle</c> as MS-TCN, or <c>splits/splitK.train</c> with a <c>#bundle</c> header and
/// path prefixes as in ../shared/data/50salads), and optional <c>features/&lt;video&gt;.npy</c> matrices [D, T]: D
/// features per frame (e.g. 2048 for I3D), T equal to the video's labelled frames, the layout of MS-TCN and FUTR
/// (a [T, D] matrix is refused, not guessed at). Every feature file of a dataset has the same D.
/// </summary>
public sealed class FrameLabelDataset
{
    readonly Dictionary<string, int> actionIndex;

    FrameLabelDataset(string root, string[] actions, int splits, int? featureWidth, bool everyVideoHasFeatures)
    {
        (Root, Actions, SplitCount, FeatureWidth, EveryVideoHasFeatures) = (root, actions, splits, featureWidth, everyVideoHasFeatures);
        actionIndex = actions.Select((a, i) => (a, i)).ToDictionary(p => p.a, p => p.i, StringComparer.Ordinal);
    }

    public string Root { get; }

    /// <summary>Action names by index.</summary>
    public IReadOnlyList<string> Actions { get; }

    /// <summary>Number of splits (K of splitK), counted from the split files present.</summary>
    public int SplitCount { get; }

    /// <summary>D, the features per frame of every <c>features/&lt;video&gt;.npy</c>; null when no video has features.</summary>
    public int? FeatureWidth { get; }

    /// <summary>Whether every video of groundTruth/ has its feature matrix, so a model can rely on them.</summary>
    public bool EveryVideoHasFeatures { get; }

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
        var (width, complete) = FeatureFiles(root);
        return new FrameLabelDataset(root, actions.ToArray(), splits, width, complete);
    }

    /// <summary>
    /// Reads the header of every video's feature file: each must be a 2-D [D, T] matrix, all with the same D. Returns D
    /// (null when no video has features) and whether every video has them.
    /// </summary>
    static (int? Width, bool Complete) FeatureFiles(string root)
    {
        var videos = Directory.Exists(Path.Combine(root, "groundTruth"))
            ? Directory.GetFiles(Path.Combine(root, "groundTruth"), "*.txt").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray()
            : [];
        (int Width, string Path)? first = null;
        int withFeatures = 0;
        foreach (var name in videos)
        {
            var path = Path.Combine(root, "features", name + ".npy");
            if (!File.Exists(path)) continue;
            withFeatures++;
            var shape = NpyFile.ReadHeader(path).Shape;
            if (shape.Length != 2)
                throw new FormatException($"{path}: features must be a 2-D [D, T] matrix (D features per frame, T frames); this one has shape ({string.Join(", ", shape)}).");
            first ??= (shape[0], path);
            if (shape[0] != first.Value.Width)
                throw new FormatException($"feature width mismatch: {first.Value.Path} has D = {first.Value.Width} features per frame but {path} has D = {shape[0]}; " +
                    "every video of a dataset needs the same D.");
        }
        return (first?.Width, withFeatures > 0 && withFeatures == videos.Length);
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
        if (!File.Exists(features)) return new LabelledVideo(name, labels.ToArray(), null);
        var shape = NpyFile.ReadHeader(features).Shape;
        if (shape.Length != 2) throw new FormatException($"{features}: features must be a 2-D [D, T] matrix; this one has shape ({string.Join(", ", shape)}).");
        if (shape[1] != labels.Count)
            throw new FormatException($"feature/label length mismatch: {features} has T = {shape[1]} frames but {path} has {labels.Count} labelled frames " +
                "(features are [D, T], one column per labelled frame).");
        return new LabelledVideo(name, labels.ToArray(), features);
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
