using System.Text.Json;
using System.Text.Json.Nodes;
using Streaming.Tensors;
using Streaming.Tensors.IO;

namespace Streaming.Models.Checkpoints;

/// <summary>
/// The tensors of a checkpoint in one safetensors file or in shards listed by a Hugging Face index
/// (<c>model.safetensors.index.json</c>: <c>{"weight_map": {name: shard file}}</c>), memory-mapped and read
/// straight into a model's parameters with float32 conversion (F32, F16, BF16).
/// </summary>
internal sealed class SafeTensorsCheckpoint : IDisposable
{
    readonly List<SafeTensorsFile> files = [];
    readonly Dictionary<string, SafeTensorsFile> byName = new(StringComparer.Ordinal);
    readonly List<string> indexProblems = [];

    SafeTensorsCheckpoint(string source) => Source = source;

    public string Source { get; }

    /// <summary>Opens one safetensors file.</summary>
    public static SafeTensorsCheckpoint OpenFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint file not found.", path);
        var checkpoint = new SafeTensorsCheckpoint(path);
        try
        {
            checkpoint.Add(SafeTensorsFile.Open(path), null);
            return checkpoint;
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    /// <summary>Opens the shards an index lists; a shard file that is absent is an error naming it and the tensors it should hold.</summary>
    public static SafeTensorsCheckpoint OpenIndex(string indexPath)
    {
        var weightMap = ReadWeightMap(indexPath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var shards = weightMap.GroupBy(e => e.Value, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        foreach (var shard in shards)
        {
            var path = Path.Combine(directory, shard.Key);
            if (!File.Exists(path))
                throw new FileNotFoundException($"{indexPath}: shard '{shard.Key}' is listed for {shard.Count()} tensor(s) (such as '{shard.First().Key}') but {path} does not exist.", path);
        }
        var checkpoint = new SafeTensorsCheckpoint(indexPath);
        try
        {
            foreach (var shard in shards)
                checkpoint.Add(SafeTensorsFile.Open(Path.Combine(directory, shard.Key)), [.. shard.Select(e => e.Key)]);
            return checkpoint;
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        if (!File.Exists(indexPath)) throw new FileNotFoundException($"{indexPath}: shard index not found.", indexPath);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(indexPath));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{indexPath}: not valid JSON: {e.Message}", e);
        }
        if (root?["weight_map"] is not JsonObject map)
            throw new InvalidDataException($"{indexPath}: missing the object 'weight_map' (tensor name -> shard file).");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, file) in map)
        {
            if (file is not JsonValue value || !value.TryGetValue<string>(out var shard) || shard.Length == 0)
                throw new InvalidDataException($"{indexPath}: weight_map entry '{name}' is not a file name.");
            if (Path.GetFileName(shard) != shard)
                throw new InvalidDataException($"{indexPath}: weight_map entry '{name}' names '{shard}', which is not a file in the index's directory.");
            result.Add(name, shard);
        }
        return result;
    }

    /// <summary>Adds a file's tensors; with <paramref name="expected"/> (from an index), only those, noting any the file lacks.</summary>
    void Add(SafeTensorsFile file, IReadOnlyList<string>? expected)
    {
        files.Add(file);
        foreach (var name in expected ?? [.. file.Tensors.Select(t => t.Name)])
        {
            if (!file.Contains(name)) { indexProblems.Add($"index lists '{name}' in {Path.GetFileName(file.Path)}, which does not contain it"); continue; }
            byName[name] = file;
        }
    }

    /// <summary>Names of every tensor available.</summary>
    public IEnumerable<string> Names => byName.Keys;

    /// <summary>
    /// Reads every target from the checkpoint, after checking all of them: a target the checkpoint lacks, a
    /// tensor no target takes (unless <paramref name="ignored"/> says it may be skipped) or a shape that differs
    /// is listed in one <see cref="CheckpointException"/>, and nothing is read.
    /// </summary>
    public void ReadInto(IEnumerable<(string Name, Tensor Value)> targets, Func<string, bool>? ignored = null)
    {
        var problems = new List<string>(indexProblems);
        var wanted = targets.ToList();
        foreach (var (name, value) in wanted)
        {
            if (!byName.TryGetValue(name, out var file)) { problems.Add($"missing: {name} {Tensor.Format(value.Shape)}"); continue; }
            var info = file.GetInfo(name);
            if (!info.Shape.SequenceEqual(value.Shape))
                problems.Add($"shape mismatch: {name} is {Tensor.Format(value.Shape)} in the model, ({string.Join(", ", info.Shape)}) in {Path.GetFileName(file.Path)}");
        }
        var wantedNames = wanted.Select(w => w.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in byName.Keys.Where(n => !wantedNames.Contains(n) && !(ignored?.Invoke(n) ?? false)).Order(StringComparer.Ordinal))
            problems.Add($"unexpected: {name} ({string.Join(", ", byName[name].GetInfo(name).Shape)})");
        if (problems.Count > 0) throw new CheckpointException(Source, problems);
        foreach (var (name, value) in wanted) byName[name].ReadInto(name, value);
    }

    public void Dispose()
    {
        foreach (var file in files) file.Dispose();
    }
}
