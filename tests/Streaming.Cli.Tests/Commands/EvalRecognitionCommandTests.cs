using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Streaming.Tensors.Tests.IO;

namespace Streaming.Cli.Tests.Commands;

/// <summary>
/// `eval recognition --quick --protocol a` end to end on MSR Action3D through the executable: every row is trained and
/// scored (LLM-AR with both readouts, the MLP, the logistic baseline, two ablations), and the table, the JSON results file
/// (docs/results-format.md) and the CSV say so. Quick epochs: it checks the evaluation, not the accuracy.
/// </summary>
public sealed class EvalRecognitionCommandTests : IDisposable
{
    const string Protocol = "msr-action3d cross-subject";
    static readonly string[] Methods = ["llm-ar", "llm-ar label-likelihood", "action-sentences + p-tuning-v2", "vtem + p-tuning-v2", "vtem + lora", "mlp", "logistic",
        "frozen-lm", "sentence-classifier", "vtem-no-prompts", "vtem-codes-256"];

    readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void QuickProtocolA_WritesEveryRowToTheTableJsonAndCsv()
    {
        string json = root.File("out/recognition.json"), csv = root.File("out/recognition.csv");
        var result = CliProcess.Run(RepositoryFiles.Root, "eval", "recognition", "--quick", "--protocol", "a", "--ablations", "sentence-classifier,frozen-lm,vtem-no-prompts,vtem-codes-256",
            "--data", RepositoryFiles.Data, "--json", json, "--csv", csv);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        var output = Regex.Replace(result.Output, @"\s+", " ");
        Assert.Contains("284 training / 273 test samples", output, StringComparison.Ordinal);
        Assert.Contains("Top-1 test accuracy", output, StringComparison.Ordinal);
        Assert.Contains("(a) msr-action3d cross-subject", output, StringComparison.Ordinal);

        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal("streaming eval recognition", doc["command"]!.GetValue<string>());
        Assert.True(DateTime.TryParse(doc["created"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.True(doc["machine"]!["cores"]!.GetValue<int>() >= 1);
        Assert.False(string.IsNullOrEmpty(doc["machine"]!["cpu"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(doc["machine"]!["isa"]!.GetValue<string>()));
        var results = doc["results"]!.AsArray().ToDictionary(r => r!["name"]!.GetValue<string>(), r => (Metric: r!["metric"]!.GetValue<string>(), Value: r["value"]!.GetValue<double>()));
        foreach (var method in Methods)
        {
            var (metric, accuracy) = results[$"{Protocol} {method} accuracy"];
            Assert.Equal("accuracy", metric);
            Assert.InRange(accuracy, 0, 1);
            Assert.Equal("ms per clip", results[$"{Protocol} {method} evaluation"].Metric);
            Assert.True(results[$"{Protocol} {method} evaluation"].Value > 0, method);
        }
        // Stages that ran have a cost; the readout and the ablations that reuse LLM-AR's model or tokenizer have none of their own.
        Assert.True(results[$"{Protocol} llm-ar tokenizer"].Value > 0);
        Assert.Equal("s per fold", results[$"{Protocol} llm-ar training"].Metric);
        Assert.True(results[$"{Protocol} frozen-lm training"].Value > 0);
        Assert.DoesNotContain($"{Protocol} llm-ar label-likelihood training", results.Keys);
        Assert.DoesNotContain($"{Protocol} frozen-lm tokenizer", results.Keys);
        Assert.DoesNotContain($"{Protocol} mlp tokenizer", results.Keys);
        Assert.DoesNotContain($"{Protocol} action-sentences + p-tuning-v2 tokenizer", results.Keys);
        // VTEM trains its own tokenizer; LoRA on its events and the no-prompts ablation read it, the codebook ablation trains another.
        Assert.True(results[$"{Protocol} vtem + p-tuning-v2 tokenizer"].Value > 0);
        Assert.DoesNotContain($"{Protocol} vtem + lora tokenizer", results.Keys);
        Assert.DoesNotContain($"{Protocol} vtem-no-prompts tokenizer", results.Keys);
        Assert.True(results[$"{Protocol} vtem-codes-256 tokenizer"].Value > 0);
        Assert.True(results[$"{Protocol} vtem + p-tuning-v2 trained parameters"].Value < results[$"{Protocol} vtem + lora trained parameters"].Value);
        // P-Tuning v2 trains its prompts and the head; without prompts the event tokens' embeddings train instead, and they are more.
        Assert.True(results[$"{Protocol} vtem-no-prompts trained parameters"].Value > results[$"{Protocol} vtem + p-tuning-v2 trained parameters"].Value);
        // P-Tuning v2 trains fewer values than LoRA; the label-likelihood row reads LLM-AR's model and counts none of its own.
        Assert.True(results[$"{Protocol} action-sentences + p-tuning-v2 trained parameters"].Value < results[$"{Protocol} llm-ar trained parameters"].Value);
        Assert.DoesNotContain($"{Protocol} llm-ar label-likelihood trained parameters", results.Keys);
        Assert.True(results["total"].Value > 0);
        Assert.DoesNotContain(results.Keys, k => k.Contains("fold ", StringComparison.Ordinal));   // one fold: no per-fold rows

        var lines = File.ReadAllLines(csv);
        Assert.Equal("protocol,method,folds,accuracy,sd_over_folds,tokenizer_s_per_fold,training_s_per_fold,trained_parameters,eval_ms_per_clip,seeds,sd_over_seeds", lines[0]);
        Assert.Equal(Methods.Order(), lines.Skip(1).Select(l => l.Split(',')[1]).Order());
        Assert.All(lines.Skip(1), l => Assert.StartsWith($"{Protocol},", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Cache_ContinuesAStoppedRun_WithTheSameResults()
    {
        string cache = root.File("cache"), first = root.File("first.json"), second = root.File("second.json");
        string[] run = ["eval", "recognition", "--quick", "--protocol", "a", "--methods", "vtem + p-tuning-v2", "--ablations", "frozen-lm,vtem-no-prompts",
            "--data", RepositoryFiles.Data, "--cache", cache];
        var result = CliProcess.Run(RepositoryFiles.Root, [.. run, "--json", first]);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        Assert.Contains("0 fold result(s) read from", result.Output, StringComparison.Ordinal);

        // As if the run had stopped before frozen-lm, while keeping LLM-AR's tokenizer: frozen-lm needs LLM-AR's tokenizer again.
        var fold = Directory.GetDirectories(Directory.GetDirectories(Path.Combine(cache, "seed-1")).Single()).Single();
        File.Delete(Path.Combine(fold, "frozen-lm.json"));
        Directory.Delete(Path.Combine(fold, "llm-ar.tokenizer"), recursive: true);
        result = CliProcess.Run(RepositoryFiles.Root, [.. run, "--json", second]);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        Assert.Contains("6 fold result(s) read from", result.Output, StringComparison.Ordinal);

        static Dictionary<string, double> Accuracies(string path) => JsonNode.Parse(File.ReadAllText(path))!["results"]!.AsArray()
            .Where(r => r!["metric"]!.GetValue<string>() == "accuracy").ToDictionary(r => r!["name"]!.GetValue<string>(), r => r!["value"]!.GetValue<double>());
        var before = Accuracies(first);
        Assert.Equal(7, before.Count);
        Assert.Equal(before, Accuracies(second));
    }

    [Fact]
    public void TwoSeeds_OneTable_MeanAndSampleSdOverSeeds_EachSeedKept()
    {
        string cache = root.File("cache"), json = root.File("seeds.json");
        var result = CliProcess.Run(RepositoryFiles.Root, "eval", "recognition", "--quick", "--protocol", "a", "--methods", "none", "--seeds", "1,2",
            "--data", RepositoryFiles.Data, "--cache", cache, "--json", json);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        var output = Regex.Replace(result.Output, @"\s+", " ");
        Assert.Contains("seeds 1, 2", output, StringComparison.Ordinal);
        Assert.Contains("per seed", output, StringComparison.Ordinal);

        var results = JsonNode.Parse(File.ReadAllText(json))!["results"]!.AsArray().ToDictionary(r => r!["name"]!.GetValue<string>(), r => r!);
        foreach (var method in new[] { "llm-ar", "llm-ar label-likelihood", "mlp", "logistic" })
        {
            double one = results[$"{Protocol} {method} accuracy seed 1"]["value"]!.GetValue<double>();
            double two = results[$"{Protocol} {method} accuracy seed 2"]["value"]!.GetValue<double>();
            var mean = results[$"{Protocol} {method} accuracy"];
            Assert.Equal((one + two) / 2, mean["value"]!.GetValue<double>(), 1e-4);   // the file keeps 4 decimals
            Assert.Equal(Math.Abs(one - two) / Math.Sqrt(2), mean["std"]!.GetValue<double>(), 1e-4);   // n - 1
        }
        // Each seed keeps its own results: the two runs do not overwrite each other, and a second run reads all of them.
        Assert.Equal(2, Directory.GetFiles(cache, "llm-ar.json", SearchOption.AllDirectories).Length);
        result = CliProcess.Run(RepositoryFiles.Root, "eval", "recognition", "--quick", "--protocol", "a", "--methods", "none", "--seeds", "1,2",
            "--data", RepositoryFiles.Data, "--cache", cache);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        Assert.Contains("8 fold result(s) read from", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--protocol", "e", "unknown protocol 'e'")]
    [InlineData("--ablations", "no-such", "unknown ablation 'no-such'")]
    [InlineData("--methods", "no-such", "unknown method 'no-such'")]
    [InlineData("--seeds", "1,1", "must name one or more different seeds")]
    [InlineData("--seeds", "1,x", "eval recognition --seeds: 'x' is not a number")]
    public void BadOption_FailsWithOneLineNamingIt(string option, string value, string message)
    {
        var result = CliProcess.Run(RepositoryFiles.Root, "eval", "recognition", option, value, "--data", RepositoryFiles.Data);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }
}
