using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Streaming.Models.EventTokens;
using Streaming.Models.LlmAr;
using Streaming.Tensors.Tests.IO;

namespace Streaming.Cli.Tests.Commands;

/// <summary>
/// `streaming train vtem` through the executable: a short run on MSR Action3D writes a folder that holds event tokens and
/// P-Tuning v2's prompts (and loads back as VTEM), a resumed finished run only evaluates, and a bad setting is one error
/// line naming it.
/// </summary>
public sealed class TrainVtemCommandTests : IDisposable
{
    readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void ShortRun_WritesAVtemFolder_AndResumingIt_OnlyEvaluates()
    {
        var folder = root.File("vtem");
        string[] args = ["train", "vtem", "--dataset", "msr-action3d", "--data", RepositoryFiles.Data, "--lm", Path.Combine(RepositoryFiles.Root, "samples", "lm"),
            "--tokenizer-steps", "20", "--steps", "10", "--out", folder];
        var result = CliProcess.Run(root.Path, args);
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        var output = Regex.Replace(Regex.Replace(result.Output, @"\x1b\[[0-9;]*m", ""), @"\s+", " ");
        Assert.Contains("vtem: event-tokens (16 tokens per clip, 512 codes), adapter p-tuning-v2; 18,964 values trained", output, StringComparison.Ordinal);

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, LlmArCheckpoint.ConfigFile)))!;
        Assert.Equal("event-tokens", config["tokenizer"]!.GetValue<string>());
        Assert.Equal("PTuningV2", config["adapter"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(folder, EventTokenizer.WeightsFile)));
        var adapter = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, LlmArCheckpoint.AdapterFolder, "adapter_config.json")))!;
        Assert.Equal("PREFIX_TUNING", adapter["peft_type"]!.GetValue<string>());
        Assert.Equal(32, adapter["num_virtual_tokens"]!.GetValue<int>());
        var model = LlmArCheckpoint.Load(folder);
        Assert.Equal("vtem", model.Method);
        Assert.IsType<EventTokenizer>(model.Observations);

        var resumed = CliProcess.Run(root.Path, [.. args, "--resume"]);
        Assert.True(resumed.ExitCode == 0, $"exit code {resumed.ExitCode}; stderr:\n{resumed.Error}");
        Assert.Contains("the recognizer stage had finished; evaluating", resumed.Output, StringComparison.Ordinal);
        Assert.Contains("tokenizer 0 s, recognizer 0 s", Regex.Replace(resumed.Output, @"\x1b\[[0-9;]*m", ""), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--frames", "8" }, "a window of 8 frame(s) is shorter than the M = 16 segments")]
    [InlineData(new[] { "--codes", "0" }, "codes (K) is 0")]
    [InlineData(new[] { "--prompts", "0" }, "0 P-Tuning v2 prompts")]
    public void BadSetting_OneErrorLineNamingIt(string[] setting, string message)
    {
        var result = CliProcess.Run(root.Path, ["train", "vtem", "--dataset", "msr-action3d", "--data", RepositoryFiles.Data,
            "--lm", Path.Combine(RepositoryFiles.Root, "samples", "lm"), "--out", root.File("bad"), .. setting]);
        Assert.Equal(1, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("streaming: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(message, lines[0], StringComparison.Ordinal);
    }
}
