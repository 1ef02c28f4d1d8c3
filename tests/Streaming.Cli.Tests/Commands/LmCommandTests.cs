using System.Text.Json.Nodes;
using Streaming.Cli.Commands;
using Streaming.Models.Checkpoints;
using Streaming.Models.Tests.Reference;
using Streaming.Models.Tokenization;
using Streaming.Models.Tokenization.Training;
using Streaming.Tensors.Tests.IO;
using Streaming.Tensors.Tests.Reference;

namespace Streaming.Cli.Tests.Commands;

/// <summary>
/// Tiny random Hugging Face checkpoints (llama_ref.py make, vocabulary 300) with a byte-level BPE tokenizer.json
/// trained on a few sentences: one single-file LLaMA, one Qwen2 in three shards.
/// </summary>
public sealed class LmCheckpoints : IDisposable
{
    static readonly string[] Corpus =
    [
        "the person picks up the cup and drinks from the cup",
        "the person walks to the table and puts down the cup",
        "a person sits down, stands up and waves both hands",
        "pick up, carry, throw, push, pull, clap hands, walk, sit down, stand up",
    ];

    public LmCheckpoints()
    {
        var tokenizer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 300 }).Train(Corpus);
        Llama = Make("llama", tokenizer, "--model-type", "llama", "--seed", "21");
        Qwen2Sharded = Make("qwen2-sharded", tokenizer, "--model-type", "qwen2", "--tie", "--shards", "3", "--seed", "22");
    }

    public TempDirectory Root { get; } = new();

    public string Llama { get; }

    public string Qwen2Sharded { get; }

    string Make(string name, TrainedBpe tokenizer, params string[] options)
    {
        var directory = Root.File(name);
        LlamaReference.Make(directory, [.. options, "--vocab", "300", "--std", "0.5"]);
        tokenizer.Save(Path.Combine(directory, LanguageModelFolder.TokenizerFileName));
        return directory;
    }

    /// <summary>A copy of checkpoint <paramref name="source"/> under a new name, for a test that changes files.</summary>
    public string Copy(string source, string name)
    {
        var directory = Root.File(name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        return directory;
    }

    public void Dispose() => Root.Dispose();
}

/// <summary>
/// <c>streaming lm logits</c> and <c>streaming lm generate</c> through the executable, judged by the PyTorch reference
/// (llama_ref.py, transformers' LLaMA / Qwen2 math in float64) on the same checkpoint: the logits file is parsed
/// by hand there, and greedy decoding is checked against rerunning the full model on the growing sequence.
/// </summary>
public sealed class LmCommandTests(LmCheckpoints checkpoints) : IClassFixture<LmCheckpoints>
{
    const string Script = "llama_ref.py";
    const string Prompt = "the person picks up the cup";

    string Work => checkpoints.Root.Path;

    public static TheoryData<string> Models => new() { "llama", "qwen2-sharded" };

    string Folder(string name) => name == "llama" ? checkpoints.Llama : checkpoints.Qwen2Sharded;

    static Tokenizer TokenizerOf(string folder) => Tokenizer.Load(Path.Combine(folder, LanguageModelFolder.TokenizerFileName));

    static CliResult Succeeds(CliResult result)
    {
        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        return result;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Logits_MatchTheTorchReference_WithTheTokenizersIdsAsI64(string model)
    {
        var folder = Folder(model);
        var text = "a person sits down and waves";
        var file = Path.Combine(Work, $"out-{model}", "logits.safetensors");

        var result = Succeeds(CliProcess.Run(Work, "lm", "logits", "--model", folder, "--text", text, "--out", file));

        var ids = TokenizerOf(folder).Encode(text);
        Assert.Contains($"logits ({ids.Count}, 300)", result.Output, StringComparison.Ordinal);
        var check = PythonReference.RunJson(Script, ["check-logits", folder, file]);
        Assert.Equal("F32", check["dtypes"]!["logits"]!.GetValue<string>());
        Assert.Equal("I64", check["dtypes"]!["input_ids"]!.GetValue<string>());
        Assert.Equal([ids.Count, 300], check["shapes"]!["logits"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Equal([ids.Count], check["shapes"]!["input_ids"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Equal(ids, check["input_ids"]!.AsArray().Select(i => i!.GetValue<int>()));
        double error = check["max_abs_error"]!.GetValue<double>();
        Assert.True(error <= 1e-4, $"max |logits - torch| = {error:G3} > 1e-4");
    }

    /// <summary>The reference's greedy continuation of <paramref name="ids"/>, with the margin of each step's pick.</summary>
    static (int[] Generated, double[] Margins) ReferenceGreedy(string folder, IReadOnlyList<int> ids, int maxNewTokens, params int[] eos)
    {
        var request = new JsonObject { ["ids"] = new JsonArray([.. ids.Select(i => (JsonNode)i)]) };
        var result = PythonReference.RunJson(Script, ["greedy", folder, "--max-new-tokens", $"{maxNewTokens}", "--eos", .. eos.Select(e => $"{e}")], request.ToJsonString());
        return ([.. result["generated"]!.AsArray().Select(i => i!.GetValue<int>())], [.. result["margins"]!.AsArray().Select(m => m!.GetValue<double>())]);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Generate_EqualsTheArgMaxOfTheFullForwardRepeated(string model)
    {
        var folder = Folder(model);
        var tokenizer = TokenizerOf(folder);
        var promptIds = tokenizer.Encode(Prompt);

        var json = JsonNode.Parse(Succeeds(CliProcess.Run(Work, "lm", "generate", "--model", folder, "--prompt", Prompt, "--max-new-tokens", "10", "--json")).Output)!;
        var text = Succeeds(CliProcess.Run(Work, "lm", "generate", "--model", folder, "--prompt", Prompt, "--max-new-tokens", "10")).Output;

        var (expected, margins) = ReferenceGreedy(folder, promptIds, 10);
        // A near tie would let float32 rounding pick either token; the seeds give clear winners.
        Assert.True(margins.Min() > 1e-3, $"the reference's smallest margin {margins.Min():G3} is a near tie");
        Assert.Equal(promptIds, json["prompt_ids"]!.AsArray().Select(i => i!.GetValue<int>()));
        Assert.Equal(expected, json["generated_ids"]!.AsArray().Select(i => i!.GetValue<int>()));
        var decoded = tokenizer.Decode([.. promptIds, .. expected], skipSpecialTokens: true);
        Assert.Equal(decoded, json["text"]!.GetValue<string>());
        Assert.Equal(decoded + Environment.NewLine, text);
    }

    [Fact]
    public void Generate_StopsAtTheEosTokenIdOfConfigJson()
    {
        var promptIds = TokenizerOf(checkpoints.Llama).Encode(Prompt);
        var (free, _) = ReferenceGreedy(checkpoints.Llama, promptIds, 10);
        var folder = checkpoints.Copy(checkpoints.Llama, "eos");
        var configPath = Path.Combine(folder, HfCheckpoint.ConfigFileName);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["eos_token_id"] = free[2];
        File.WriteAllText(configPath, config.ToJsonString());

        var json = JsonNode.Parse(Succeeds(CliProcess.Run(Work, "lm", "generate", "--model", folder, "--prompt", Prompt, "--max-new-tokens", "10", "--json")).Output)!;

        var generated = json["generated_ids"]!.AsArray().Select(i => i!.GetValue<int>()).ToArray();
        Assert.Equal(ReferenceGreedy(folder, promptIds, 10, free[2]).Generated, generated);
        Assert.Equal(free[2], generated[^1]);
        Assert.True(generated.Length <= 3);
    }

    public static TheoryData<string, string, string> Errors => new()
    {
        { "missing folder", "", "not found" },
        { "no config.json", HfCheckpoint.ConfigFileName, "has no config.json" },
        { "no tokenizer.json", LanguageModelFolder.TokenizerFileName, "has no tokenizer.json" },
        { "no weights", HfCheckpoint.SingleFileName, "has no model.safetensors or model.safetensors.index.json" },
    };

    static void AssertFails(CliResult result, string message)
    {
        AssertRefused(result, message);
        Assert.Equal("", result.Output);
    }

    /// <summary>Non-zero exit and the message on stderr, with no stack trace.</summary>
    static void AssertRefused(CliResult result, string message)
    {
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void BadModelFolder_OneLineNamingWhatIsMissing_NonZeroExit(string problem, string removed, string message)
    {
        var folder = problem == "missing folder" ? Path.Combine(Work, "no-such-model") : checkpoints.Copy(checkpoints.Llama, "broken");
        if (removed.Length > 0) File.Delete(Path.Combine(folder, removed));

        AssertFails(CliProcess.Run(Work, "lm", "generate", "--model", folder, "--prompt", Prompt), "lm generate: ");
        var result = CliProcess.Run(Work, "lm", "logits", "--model", folder, "--text", Prompt, "--out", Path.Combine(Work, "never.safetensors"));
        AssertFails(result, message);
        Assert.Contains(Path.GetFullPath(folder), result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Work, "never.safetensors")));
    }

    [Fact]
    public void BadOptions_SpecificMessages_NonZeroExit()
    {
        var folder = checkpoints.Llama;
        AssertFails(CliProcess.Run(Work, "lm", "generate", "--model", folder, "--prompt", ""), "lm generate: --prompt is empty");
        AssertFails(CliProcess.Run(Work, "lm", "logits", "--model", folder, "--text", "", "--out", Path.Combine(Work, "x.safetensors")), "lm logits: --text is empty");
        AssertFails(CliProcess.Run(Work, "lm", "generate", "--model", folder, "--prompt", Prompt, "--max-new-tokens", "-1"), "--max-new-tokens must not be negative");
        // System.CommandLine's own parse error, followed by the command's help on stdout.
        AssertRefused(CliProcess.Run(Work, "lm", "generate", "--model", folder), "Option '--prompt' is required.");
        var config = checkpoints.Copy(folder, "bad-config");
        File.WriteAllText(Path.Combine(config, HfCheckpoint.ConfigFileName), """{"model_type": "gpt2"}""");
        AssertFails(CliProcess.Run(Work, "lm", "generate", "--model", config, "--prompt", Prompt), "unknown model type 'gpt2'");
    }
}
