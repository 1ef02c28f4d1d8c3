using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Streaming.Models.Observations;

namespace Streaming.Models.LlmAr;

/// <summary>
/// One fold of one row of <c>eval recognition</c>: the test accuracy and what each stage cost (null: shared with another
/// row), and the values the recognizer stage trains (null where the row reads another row's model).
/// </summary>
public sealed record RecognitionCell(double Accuracy, TimeSpan? Tokenizer, TimeSpan? Training, TimeSpan Evaluation, int TestClips, long? Parameters);

/// <summary>
/// The results of an <c>eval recognition</c> run kept on disk as they come, one file per protocol, fold and row, with the
/// tokenizers other rows of the fold share, so a run that stops (a full one trains for hours) continues where it stopped
/// when it is started again. A result is reused only when it came from the same build of the models and tensors, the same
/// settings and the same base model (its key); any other is computed again and replaced. Each seed keeps its own files
/// (<c>seed-N/</c>), so the runs of several seeds never replace each other's.
/// </summary>
public sealed class RecognitionCache
{
    const string Format = "streaming-recognition-cell/1";
    readonly string key;
    readonly int seed;

    public RecognitionCache(string folder, RecognitionEvalOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(options);
        Folder = folder;
        key = Key(options);
        seed = options.Training.Seed;
    }

    public string Folder { get; }

    /// <summary>How many results this run read from the folder instead of computing them.</summary>
    public int Reused { get; private set; }

    /// <summary>
    /// The settings a result depends on: the builds of the assemblies that train and score (their module ids change with
    /// their code), every training option, and the base model's files.
    /// </summary>
    static string Key(RecognitionEvalOptions options)
    {
        var builds = new[] { typeof(RecognitionCache).Assembly, typeof(Tensors.Tensor).Assembly }.Select(a => a.ManifestModule.ModuleVersionId.ToString());
        var text = string.Join("\n", [.. builds, options.LlmAr.ToString(), options.Training.ToString(), options.Mlp.ToString(), options.Logistic.ToString(), BaseModelHash(options.BaseModelFolder)]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    static string BaseModelHash(string baseModelFolder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(baseModelFolder).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".safetensors", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file)));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The fold as the key sees it: which samples it trains and tests on, not only its name.</summary>
    static string FoldKey(RecognitionBenchmark benchmark, RecognitionFold fold) => string.Create(CultureInfo.InvariantCulture,
        $"{RecognitionProtocols.Key(benchmark.Protocol)}|{benchmark.Description}|{fold.Name}|{fold.Train.Count}|{fold.Test.Count}|{fold.Train.Sum(s => s.Sequence.Frames)}|{fold.Test.Sum(s => s.Sequence.Frames)}");

    string PathOf(RecognitionBenchmark benchmark, RecognitionFold fold, string row, string suffix) =>
        Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"seed-{seed}"), Slug(RecognitionProtocols.Key(benchmark.Protocol)), Slug(fold.Name), Slug(row) + suffix);

    static string Slug(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_')]);

    string CellKey(RecognitionBenchmark benchmark, RecognitionFold fold, string row) => $"{key}|{FoldKey(benchmark, fold)}|{row}";

    /// <summary>The row's result on the fold from an earlier run with the same key, or null.</summary>
    public RecognitionCell? Cell(RecognitionBenchmark benchmark, RecognitionFold fold, string row)
    {
        var path = PathOf(benchmark, fold, row, ".json");
        if (!File.Exists(path)) return null;
        JsonNode? json;
        try { json = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException) { return null; }                      // a file cut short by a stop: computed again
        if (json?["format"]?.GetValue<string>() != Format || json["key"]?.GetValue<string>() != CellKey(benchmark, fold, row)) return null;
        static TimeSpan? Seconds(JsonNode? node) => node is null ? null : TimeSpan.FromSeconds(node.GetValue<double>());
        Reused++;
        return new RecognitionCell(json["accuracy"]!.GetValue<double>(), Seconds(json["tokenizer_s"]), Seconds(json["training_s"]),
            Seconds(json["evaluation_s"])!.Value, json["test_clips"]!.GetValue<int>(), json["parameters"]?.GetValue<long>());
    }

    /// <summary>Keeps the row's result on the fold; written whole or not at all.</summary>
    public void Save(RecognitionBenchmark benchmark, RecognitionFold fold, string row, RecognitionCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var json = new JsonObject
        {
            ["format"] = Format,
            ["key"] = CellKey(benchmark, fold, row),
            ["accuracy"] = cell.Accuracy,
            ["tokenizer_s"] = cell.Tokenizer?.TotalSeconds,
            ["training_s"] = cell.Training?.TotalSeconds,
            ["evaluation_s"] = cell.Evaluation.TotalSeconds,
            ["test_clips"] = cell.TestClips,
            ["parameters"] = cell.Parameters,
        };
        Write(PathOf(benchmark, fold, row, ".json"), json.ToJsonString());
    }

    /// <summary>The tokenizer the row trained on the fold, kept by an earlier run with the same key, or null.</summary>
    public ObservationTokenizer? Tokenizer(RecognitionBenchmark benchmark, RecognitionFold fold, string row, LlmArTokenizer kind)
    {
        var dir = PathOf(benchmark, fold, row, ".tokenizer");
        var keyFile = Path.Combine(dir, "key.txt");
        if (!File.Exists(keyFile) || File.ReadAllText(keyFile) != CellKey(benchmark, fold, row)) return null;
        return ObservationTokenizers.LoadSaved(dir, kind);
    }

    /// <summary>Keeps the tokenizer the row trained, for the rows that share it; its key is written last, so a save cut short is not read.</summary>
    public void SaveTokenizer(RecognitionBenchmark benchmark, RecognitionFold fold, string row, ObservationTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var dir = PathOf(benchmark, fold, row, ".tokenizer");
        var keyFile = Path.Combine(dir, "key.txt");
        if (File.Exists(keyFile)) File.Delete(keyFile);
        tokenizer.Save(dir);
        Write(keyFile, CellKey(benchmark, fold, row));
    }

    static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + ".partial";
        File.WriteAllText(partial, text);
        File.Move(partial, path, overwrite: true);
    }
}
