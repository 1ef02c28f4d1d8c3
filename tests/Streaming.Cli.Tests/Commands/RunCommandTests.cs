using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Models.LlmAr;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Tensors.Tests.IO;

namespace Streaming.Cli.Tests.Commands;

/// <summary>`streaming run --model` with a model folder whose parts do not belong together: one error line naming the part, exit code 1, before anything is consumed.</summary>
public sealed class RunCommandTests : IDisposable
{
    readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void Run_LlmArFolderWithLoraForAnotherBaseModel_OneErrorLineAndExit1()
    {
        var folder = TinyLlmAr.Save(root.File("llm-ar"), Path.Combine(RepositoryFiles.Data, "utkinect-action3d"), anticipator: false);
        var baseFolder = Path.Combine(folder, LlmArCheckpoint.BaseFolder);
        HfCheckpoint.Save(new LlamaModel(HfCheckpoint.Load(baseFolder).Config, new Random(99)), baseFolder);

        var result = CliProcess.Run(root.Path, "run", "--model", folder);

        Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var error = lines[0];
        Assert.StartsWith("streaming: ", error, StringComparison.Ordinal);
        Assert.Equal("(set STREAMING_DEBUG=1 for the stack trace)", lines[1]);
        Assert.Contains("base_model_sha256", error, StringComparison.Ordinal);
        Assert.Contains("LoRA weights only fit the model they were trained on", error, StringComparison.Ordinal);
        Assert.DoesNotContain("embedded broker", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SkeletonModelWithAnActionLlmOfOtherActions_OneErrorLineAndExit1()
    {
        var folder = TinyLlmAr.Save(root.File("llm-ar"), Path.Combine(RepositoryFiles.Data, "utkinect-action3d"), anticipator: false);
        var salads = TinyActionLlm.Save(root.File("actionllm"), epochs: 1);

        var result = CliProcess.Run(root.Path, "run", "--model", folder, "--anticipator", salads);

        Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("streaming: anticipator actionllm@", lines[0], StringComparison.Ordinal);
        Assert.Contains("does not know the action(s) ", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("train it on the recognizer's dataset's labels.", lines[0].TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("embedded broker", result.Output, StringComparison.Ordinal);
    }
}
