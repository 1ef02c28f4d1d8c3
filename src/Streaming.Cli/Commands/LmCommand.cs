using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Models.Tokenization;
using Streaming.Tensors;
using Streaming.Tensors.IO;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming lm ...</c>: any Hugging Face LLaMA / Qwen2 checkpoint folder from the command line.</summary>
public static class LmCommand
{
    public static Command Create()
    {
        var lm = new Command("lm", "Run a Hugging Face LLaMA or Qwen2 checkpoint folder (config.json, model.safetensors or shards, tokenizer.json): " +
            "greedy generation, or the logits of a text for comparison with transformers.");
        lm.Subcommands.Add(Generate());
        lm.Subcommands.Add(Logits());
        return lm;
    }

    static Option<string> ModelOption() => new("--model")
    {
        Description = "The checkpoint folder: config.json, model.safetensors (or shards with model.safetensors.index.json) and tokenizer.json.",
        DefaultValueFactory = _ => Path.Combine("samples", "lm"),
    };

    static Command Generate()
    {
        var model = ModelOption();
        var prompt = new Option<string>("--prompt") { Description = "The text to continue; the tokenizer adds its special tokens (BOS) as transformers does.", Required = true };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "At most this many new tokens; generation also ends at eos_token_id (generation_config.json, else config.json).", DefaultValueFactory = _ => 32 };
        var json = new Option<bool>("--json") { Description = "Print {prompt_ids, generated_ids, text} as JSON instead of the text." };
        var command = new Command("generate",
            "Greedy decoding (the most likely token each step, through the KV cache): prints the prompt and its continuation, decoded without special tokens.")
        {
            model, prompt, maxNewTokens, json,
        };
        command.SetAction(parse => Report(parse, "lm generate", output =>
        {
            int max = parse.GetValue(maxNewTokens);
            if (max < 0) throw new ArgumentException($"--max-new-tokens must not be negative, got {max}.");
            var folder = LanguageModelFolder.Load(parse.GetValue(model)!);
            var ids = folder.Encode(parse.GetValue(prompt)!, "--prompt");
            var generated = new LlamaInference(folder.Model).Greedy(ids, max, folder.EosTokenIds);
            var text = folder.Tokenizer.Decode([.. ids, .. generated], skipSpecialTokens: true);
            if (!parse.GetValue(json))
            {
                output.WriteLine(text);
                return;
            }
            output.WriteLine(new JsonObject
            {
                ["prompt_ids"] = new JsonArray([.. ids.Select(i => (JsonNode)i)]),
                ["generated_ids"] = new JsonArray([.. generated.Select(i => (JsonNode)i)]),
                ["text"] = text,
            }.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        }));
        return command;
    }

    static Command Logits()
    {
        var model = ModelOption();
        var text = new Option<string>("--text") { Description = "The text to run; the tokenizer adds its special tokens (BOS) as transformers does.", Required = true };
        var output = new Option<string>("--out") { Description = "The safetensors file to write: logits (T, vocab) F32 and input_ids (T) I64.", Required = true };
        var command = new Command("logits",
            "Writes the logits of every position of a text and its token ids to a safetensors file, as transformers' model(input_ids).logits[0] and input_ids[0].")
        {
            model, text, output,
        };
        command.SetAction(parse => Report(parse, "lm logits", console =>
        {
            var path = parse.GetValue(output)!;
            var folder = LanguageModelFolder.Load(parse.GetValue(model)!);
            var ids = folder.Encode(parse.GetValue(text)!, "--text");
            Tensor logits;
            using (GradMode.Disable()) logits = folder.Model.Forward(ids, batch: 1).Logits!;      // (1, T, V)
            int T = ids.Length, V = folder.Model.Config.VocabSize;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["logits"] = logits.Reshape(T, V) },
                new Dictionary<string, IntegerTensor> { ["input_ids"] = IntegerTensor.Ids(ids) }, new Dictionary<string, string> { ["format"] = "pt" });
            console.WriteLine($"wrote {path}: logits ({T}, {V}) F32, input_ids ({T}) I64");
        }));
        return command;
    }

    /// <summary>
    /// Runs <paramref name="body"/>, turning the errors a user can fix (a missing or malformed folder or file, a bad
    /// option) into one line on stderr and exit code 1, instead of a stack trace.
    /// </summary>
    static int Report(ParseResult parse, string command, Action<TextWriter> body)
    {
        try
        {
            body(parse.InvocationConfiguration.Output);
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or CheckpointException or TokenizerFormatException
            or SafeTensorsFormatException or ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            parse.InvocationConfiguration.Error.WriteLine($"{command}: {e.Message}");
            return 1;
        }
    }
}
