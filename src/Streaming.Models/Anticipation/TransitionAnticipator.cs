using System.Text.Json;
using System.Text.Json.Serialization;

namespace Streaming.Models.Anticipation;

/// <summary>A run of one action: its label and how long it lasted (seconds for streams, frames for label files).</summary>
public readonly record struct ActionRun(int Action, double Duration);

/// <summary>A predicted future action, times measured from now.</summary>
public readonly record struct AnticipatedAction(int Action, double Start, double End, double Probability);

/// <summary>
/// The baseline anticipator: first-order transitions between consecutive actions and each action's mean duration,
/// counted on training sequences. From the current action and the time already spent in it, the rest of the
/// current action is its mean duration minus the time spent (at least <see cref="MinimumRemaining"/> of the mean), then
/// the most likely next action follows for its mean duration, and so on to the horizon; each step's probability is
/// the product of the transition probabilities so far.
/// </summary>
public sealed class TransitionAnticipator
{
    public const string Kind = "first-order-transitions";

    /// <summary>An action that has run past its mean is expected to go on for this fraction of its mean.</summary>
    public const double MinimumRemaining = 0.1;

    [JsonConstructor]
    public TransitionAnticipator(string modelKind, IReadOnlyList<string> labels, double[][] transitions, double[] meanDurations, double[] initial)
    {
        if (modelKind != Kind) throw new InvalidDataException($"anticipator kind '{modelKind}', expected '{Kind}'.");
        int c = labels.Count;
        if (transitions.Length != c || transitions.Any(r => r.Length != c) || meanDurations.Length != c || initial.Length != c)
            throw new InvalidDataException($"anticipator: {c} labels but transitions {transitions.Length}x{transitions.FirstOrDefault()?.Length}, {meanDurations.Length} durations and {initial.Length} initial probabilities.");
        (Labels, Transitions, MeanDurations, Initial) = (labels, transitions, meanDurations, initial);
    }

    [JsonPropertyName("kind")] public string ModelKind => Kind;

    public IReadOnlyList<string> Labels { get; }

    /// <summary>[from][to]: probability that <c>to</c> follows <c>from</c> (never itself: runs are maximal).</summary>
    public double[][] Transitions { get; }

    public double[] MeanDurations { get; }

    /// <summary>Probability of each action opening a sequence.</summary>
    public double[] Initial { get; }

    /// <summary>
    /// Counts transitions and durations over <paramref name="sequences"/> (consecutive runs of the same action are
    /// merged first). Unseen transitions get <paramref name="smoothing"/> pseudo-counts; an action never seen gets the
    /// overall mean duration.
    /// </summary>
    public static TransitionAnticipator Train(IEnumerable<IReadOnlyList<ActionRun>> sequences, IReadOnlyList<string> labels, double smoothing = 0.01)
    {
        int c = labels.Count;
        var counts = new double[c][];
        for (int i = 0; i < c; i++) counts[i] = new double[c];
        var durationSum = new double[c];
        var durationCount = new int[c];
        var initial = new double[c];
        foreach (var raw in sequences)
        {
            var runs = Merge(raw, c);
            if (runs.Count == 0) continue;
            initial[runs[0].Action]++;
            for (int r = 0; r < runs.Count; r++)
            {
                durationSum[runs[r].Action] += runs[r].Duration;
                durationCount[runs[r].Action]++;
                if (r > 0) counts[runs[r - 1].Action][runs[r].Action]++;
            }
        }
        int seen = durationCount.Sum();
        if (seen == 0) throw new ArgumentException("anticipator: no action runs to learn from.", nameof(sequences));
        double overall = durationSum.Sum() / seen;
        var means = new double[c];
        for (int a = 0; a < c; a++) means[a] = durationCount[a] > 0 ? durationSum[a] / durationCount[a] : overall;
        for (int from = 0; from < c; from++)
        {
            for (int to = 0; to < c; to++) counts[from][to] = from == to ? 0 : counts[from][to] + smoothing;
            double total = counts[from].Sum();
            for (int to = 0; to < c; to++) counts[from][to] = total > 0 ? counts[from][to] / total : 0;
        }
        double starts = initial.Sum();
        for (int a = 0; a < c; a++) initial[a] = (initial[a] + smoothing) / (starts + smoothing * c);
        return new TransitionAnticipator(Kind, labels.ToArray(), counts, means, initial);
    }

    /// <summary>
    /// The actions expected to follow, up to <paramref name="horizon"/> time units from now, given the action under
    /// way and the time already spent in it. The first entry is the rest of the current action.
    /// </summary>
    public IReadOnlyList<AnticipatedAction> Anticipate(int current, double elapsed, double horizon)
    {
        if (current < 0 || current >= Labels.Count) throw new ArgumentOutOfRangeException(nameof(current), $"anticipator: action {current} is not one of the {Labels.Count} labels.");
        var future = new List<AnticipatedAction>();
        double end = Math.Max(MeanDurations[current] - elapsed, MinimumRemaining * MeanDurations[current]);
        double probability = 1;
        future.Add(new AnticipatedAction(current, 0, end, probability));
        int action = current;
        while (end < horizon && future.Count < 4 * Labels.Count)
        {
            var row = Transitions[action];
            int next = Array.IndexOf(row, row.Max());
            if (row[next] <= 0) break;
            probability *= row[next];
            double start = end;
            end = start + Math.Max(MeanDurations[next], 1e-9);
            future.Add(new AnticipatedAction(next, start, end, probability));
            action = next;
        }
        return future;
    }

    public void Save(string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static TransitionAnticipator Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"anticipator: {path} not found.", path);
        try
        {
            return JsonSerializer.Deserialize<TransitionAnticipator>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty anticipator file.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not an anticipator file: {e.Message}", e);
        }
    }

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    static List<ActionRun> Merge(IReadOnlyList<ActionRun> runs, int classes)
    {
        var merged = new List<ActionRun>();
        foreach (var run in runs)
        {
            if (run.Action < 0 || run.Action >= classes) throw new ArgumentException($"anticipator: action {run.Action} is not one of the {classes} labels.");
            if (merged.Count > 0 && merged[^1].Action == run.Action) merged[^1] = merged[^1] with { Duration = merged[^1].Duration + run.Duration };
            else merged.Add(run);
        }
        return merged;
    }
}
