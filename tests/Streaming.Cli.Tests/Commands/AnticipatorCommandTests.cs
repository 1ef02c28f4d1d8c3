using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Streaming.Models.Tests.Datasets;
using Streaming.Tensors.Tests.IO;

namespace Streaming.Cli.Tests.Commands;

/// <summary>`train anticipator` and `eval lta` choose ActionLLM's inputs from the dataset: visual features when every video has them.</summary>
public sealed class AnticipatorCommandTests : IDisposable
{
    static readonly string[] Actions = ["cut_tomato", "add_oil", "mix", "peel_cucumber"];
    const int D = 3;

    readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    /// <summary>Six videos of four 10-frame segments (four to train, two to test), each with features/&lt;video&gt;.npy (D, T) unless left out.</summary>
    string Dataset(string name, params string[] withoutFeatures)
    {
        var folder = root.File(name);
        Directory.CreateDirectory(Path.Combine(folder, "groundTruth"));
        Directory.CreateDirectory(Path.Combine(folder, "splits"));
        File.WriteAllLines(Path.Combine(folder, "mapping.txt"), Actions.Select((a, i) => $"{i} {a}"));
        var rng = new Random(1);
        var videos = Enumerable.Range(0, 6).Select(v => $"video{v}").ToArray();
        foreach (var video in videos)
        {
            var labels = Enumerable.Range(0, 4).SelectMany(_ => Enumerable.Repeat(rng.Next(Actions.Length), 10)).ToArray();
            File.WriteAllLines(Path.Combine(folder, "groundTruth", video + ".txt"), labels.Select(l => Actions[l]));
            if (!withoutFeatures.Contains(video))
                NpyTestFile.Write(Path.Combine(folder, "features", video + ".npy"), [D, labels.Length], [.. Enumerable.Range(0, D * labels.Length).Select(_ => (float)rng.NextDouble())]);
        }
        File.WriteAllLines(Path.Combine(folder, "splits", "train.split1.bundle"), videos[..4].Select(v => v + ".txt"));
        File.WriteAllLines(Path.Combine(folder, "splits", "test.split1.bundle"), videos[4..].Select(v => v + ".txt"));
        return folder;
    }

    (string Output, int VisualFeatures) Train(string data, params string[] options)
    {
        var output = root.File("ckpt-" + Guid.NewGuid().ToString("N")[..8]);
        var result = CliProcess.Run(root.Path, ["train", "anticipator", "--data", data, "--out", output, "--lm-steps", "5", "--epochs", "1",
            "--steps-per-video", "10", "--queries", "4", .. options]);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "anticipator.json")))!;
        return (Regex.Replace(result.Output, @"\s+", " "), config["visual_features"]!.GetValue<int>());
    }

    [Fact]
    public void TrainAnticipator_EveryVideoWithFeatures_ReadsThemUnlessNoVisual()
    {
        var data = Dataset("full");
        var (output, width) = Train(data);
        Assert.Contains($"ActionLLM inputs: labels and visual features (every video has features/<video>.npy, D = {D}", output, StringComparison.Ordinal);
        Assert.Equal(D, width);

        (output, _) = Train(data, "--no-visual-loss");
        Assert.Contains("without L_V (--no-visual-loss)", output, StringComparison.Ordinal);

        (output, width) = Train(data, "--no-visual");
        Assert.Contains($"ActionLLM inputs: labels only (features of width {D} ignored: --no-visual)", output, StringComparison.Ordinal);
        Assert.Equal(0, width);
    }

    [Fact]
    public void TrainAnticipator_SomeVideosWithoutFeatures_LabelsOnly()
    {
        var (output, width) = Train(Dataset("partial", "video5"));
        Assert.Contains("ActionLLM inputs: labels only (features/<video>.npy is missing for some videos)", output, StringComparison.Ordinal);
        Assert.Equal(0, width);
    }

    [Fact]
    public void EvalLta_WithFeatures_ScoresTheVisualModel()
    {
        var result = CliProcess.Run(root.Path, "eval", "lta", "--data", Dataset("eval"), "--methods", "actionllm", "--lm-steps", "5", "--epochs", "1",
            "--steps-per-video", "10", "--queries", "4", "--json", root.File("lta.json"));
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        Assert.Contains("ActionLLM inputs: labels and visual features", Regex.Replace(result.Output, @"\s+", " "), StringComparison.Ordinal);
        Assert.True(File.Exists(root.File("lta.json")));
    }

    [Fact]
    public void EvalLta_ChoosesTheTrainingAndDecodingOnValidation_AndReportsTheSeedsMeanAndStd()
    {
        var json = root.File("lta-seeds.json");
        var result = CliProcess.Run(root.Path, "eval", "lta", "--data", Dataset("seeds"), "--methods", "repeat-last,actionllm", "--lm-steps", "5", "--epochs", "1",
            "--steps-per-video", "10", "--queries", "4", "--seeds", "1,2", "--learning-rates", "1e-3,2e-3", "--query-counts", "4,6", "--observed-ranges", "0.1-0.5,0.2-0.3", "--no-visual", "--json", json);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        var output = Regex.Replace(Regex.Replace(result.Output, @"\x1b\[[0-9;]*m", ""), @"\s+", " ");
        Assert.Contains("one training video in 5 per activity is held out for validation", output, StringComparison.Ordinal);
        Assert.Contains("(chosen on validation)", output, StringComparison.Ordinal);
        Assert.Contains("ActionLLM training on the validation videos (first seed; MoC %, average over splits)", output, StringComparison.Ordinal);
        Assert.Contains("4 candidates: lr 0.001, 4 queries, observed 0.1-0.5; lr 0.002, 4 queries, observed 0.1-0.5; lr 0.001, 6 queries, observed 0.1-0.5; " +
            "lr 0.001, 4 queries, observed 0.2-0.3)", output, StringComparison.Ordinal);
        Assert.Contains("ActionLLM training on validation: ", output, StringComparison.Ordinal);
        Assert.Matches(@"ActionLLM training: lr 0\.00[12], [46] queries, observed 0\.(1-0\.5|2-0\.3), 1 epochs \(chosen on validation\)", output);
        // The first seed's base model is pre-trained once per split and shared by its 4 candidates; the second seed's once more.
        Assert.Contains("base LM ", output, StringComparison.Ordinal);
        Assert.Contains(" for each of 2; ", output, StringComparison.Ordinal);
        Assert.Contains("ActionLLM decoding on validation: ", output, StringComparison.Ordinal);
        // Then each split and seed again on all training videos, a base model each, stopped at the chosen epoch.
        Assert.Matches(@"trained again on all its training videos \(the validation videos too\) with the choices above: .*, stopped after 1 of 1 epochs", output);
        Assert.Matches(@"training on all training videos: base LM [0-9.]+ s per training; ActionLLM [0-9.]+ s per training", output);
        Assert.Contains("±", output, StringComparison.Ordinal);
        var rows = JsonNode.Parse(File.ReadAllText(json))!["results"]!.AsArray();
        var average = rows.Single(r => r!["name"]!.GetValue<string>() == "actionllm moc average")!;
        Assert.NotNull(average["std"]);
        Assert.NotNull(rows.Single(r => r!["name"]!.GetValue<string>() == "actionllm, validation videos held out moc average")!["std"]);
        Assert.Null(rows.Single(r => r!["name"]!.GetValue<string>() == "repeat-last moc average")!["std"]);
        // 8 decodings, 4 candidates at the one epoch scored, the chosen rate, queries, observed range and epochs
        Assert.Equal(17, rows.Count(r => r!["name"]!.GetValue<string>().StartsWith("actionllm validation ", StringComparison.Ordinal)));
        AssertFails(CliProcess.Run(root.Path, "eval", "lta", "--data", Dataset("seeds"), "--methods", "actionllm", "--learning-rates", "1e-3,fast"),
            "eval lta --learning-rates: 'fast' is not a positive number.");
        AssertFails(CliProcess.Run(root.Path, "eval", "lta", "--data", Dataset("seeds"), "--methods", "actionllm", "--observed-ranges", "0.5-0.1"),
            "eval lta --observed-ranges: '0.5-0.1' is not min-max with 0 < min <= max < 1 (e.g. 0.1-0.5).");
        AssertFails(CliProcess.Run(root.Path, "eval", "lta", "--data", Dataset("seeds"), "--methods", "actionllm", "--query-counts", "0"),
            "eval lta --query-counts: '0' is not a positive whole number.");
    }

    [Fact]
    public void EvalLta_NoValidation_DecodesAsTheFlagsSay()
    {
        var result = CliProcess.Run(root.Path, "eval", "lta", "--data", Dataset("no-validation"), "--methods", "actionllm", "--lm-steps", "5", "--epochs", "1",
            "--steps-per-video", "10", "--queries", "4", "--seeds", "1", "--no-visual", "--no-validation", "--no-transition-prior");
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        var output = Regex.Replace(Regex.Replace(result.Output, @"\x1b\[[0-9;]*m", ""), @"\s+", " ");
        Assert.Contains("no validation: trained on all training videos", output, StringComparison.Ordinal);
        Assert.Contains("ActionLLM decoding: residual time + queries alone + each seed alone", output, StringComparison.Ordinal);
        Assert.DoesNotContain("chosen on validation", output, StringComparison.Ordinal);
        Assert.DoesNotContain("trained again", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EvalLta_NoRefit_ScoresTheModelsTrainedWithoutTheValidationVideos()
    {
        var json = root.File("lta-no-refit.json");
        var result = CliProcess.Run(root.Path, "eval", "lta", "--data", Dataset("no-refit"), "--methods", "actionllm", "--lm-steps", "5", "--epochs", "1",
            "--steps-per-video", "10", "--queries", "4", "--seeds", "1", "--learning-rates", "1e-3", "--query-counts", "4", "--observed-ranges", "0.1-0.5",
            "--no-visual", "--no-refit", "--json", json);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        var output = Regex.Replace(Regex.Replace(result.Output, @"\x1b\[[0-9;]*m", ""), @"\s+", " ");
        Assert.Contains("(chosen on validation)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("trained again", output, StringComparison.Ordinal);
        var names = JsonNode.Parse(File.ReadAllText(json))!["results"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("actionllm moc average", names);
        Assert.DoesNotContain(names, n => n.Contains("held out", StringComparison.Ordinal));
    }

    static void AssertFails(CliResult result, string message)
    {
        Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        Assert.Contains(message, Regex.Replace(result.Error, @"\s+", " "), StringComparison.Ordinal);
    }

    [Fact]
    public void TrainAnticipator_OverAnEarlierRunWithoutResume_RefusesAndResumeWithoutARunToo()
    {
        var data = Dataset("runs");
        var output = root.File("run");
        string[] train = ["train", "anticipator", "--data", data, "--out", output, "--lm-steps", "5", "--epochs", "1", "--steps-per-video", "10", "--queries", "4"];
        AssertFails(CliProcess.Run(root.Path, [.. train, "--resume"]), "train anticipator --resume: no training-state.safetensors in");
        Assert.Equal(0, CliProcess.Run(root.Path, train).ExitCode);
        AssertFails(CliProcess.Run(root.Path, train), "holds a run already; pass --resume to continue it or choose another --out.");
    }

    [Fact]
    public void BenchAnticipator_WithoutABaseModel_OneLineErrorAndExit1() =>
        AssertFails(CliProcess.Run(root.Path, "bench", "anticipator", "--data", Dataset("bench"), "--lm", root.File("no-such-lm"), "--quick"),
            "bench anticipator: no base model at");

    [Theory]
    [InlineData("--methods", "actionllm,oracle", "eval lta --methods: unknown method 'oracle'")]
    [InlineData("--splits", "1,x", "eval lta --splits: 'x' is not a number.")]
    [InlineData("--seeds", "1,1", "eval lta --seeds: '1,1' must name one or more different seeds.")]
    [InlineData("--ensemble", "maybe", "eval lta --ensemble: 'maybe' is not auto, on or off.")]
    [InlineData("--splits", "3", "eval lta --splits: split 3 does not exist (1..1).")]
    [InlineData("--lm", "no-such-folder", "ActionLLM needs a base model folder with config.json, safetensors and tokenizer.json at")]
    [InlineData("--interaction-width", "30", "ActionLLM: the interaction width 30 must be a positive multiple of its 4 heads.")]
    [InlineData("--tuning-width", "0", "ActionLLM: the tuning width is 0; at least 1.")]
    [InlineData("--dropout", "1", "ActionLLM: dropout 1 must be in [0, 1).")]
    [InlineData("--lm-width", "102", "train lm: the hidden size 102 must be a positive multiple of the 4 attention heads.")]
    public void EvalLta_BadOption_OneLineErrorAndExit1(string option, string value, string message) =>
        AssertFails(CliProcess.Run(root.Path, "eval", "lta", "--data", Dataset("bad-" + Guid.NewGuid().ToString("N")[..6]), "--epochs", "1",
            "--steps-per-video", "10", "--queries", "4", option, value), message);
}
