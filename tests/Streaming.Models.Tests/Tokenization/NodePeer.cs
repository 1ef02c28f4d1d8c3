using System.Diagnostics;
using System.Text.Json;

namespace Streaming.Models.Tests.Tokenization;

/// <summary>
/// Hugging Face's JavaScript tokenizers, run with node on Reference/peer.cjs: the reference our
/// token ids must equal. scripts/setup.sh installs it, with the tokenizer.json files of npm
/// packages, into build/node-peer.
/// </summary>
public static class NodePeer
{
    public static string Folder { get; } = Find();

    /// <summary>The tokenizer.json shipped by an @lenml/tokenizer-* package ("qwen3", "llama2", "llama3").</summary>
    public static string TokenizerJson(string model) =>
        Path.Combine(Folder, "node_modules", "@lenml", "tokenizer-" + model, "models", "tokenizer.json");

    public sealed record Result(int[][] Ids, string[] Decoded);

    public static Result Run(string tokenizerJson, IReadOnlyList<string> texts, bool addSpecialTokens)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Tokenization", "Reference", "peer.cjs");
        var request = JsonSerializer.Serialize(new { peer = Folder, tokenizer = tokenizerJson, texts, addSpecialTokens });
        var start = new ProcessStartInfo("node", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new System.Text.UTF8Encoding(false),
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        node.StandardInput.Write(request);
        node.StandardInput.Close();
        var stderr = node.StandardError.ReadToEndAsync();
        var stdout = node.StandardOutput.ReadToEnd();
        node.WaitForExit();
        if (node.ExitCode != 0) throw new InvalidOperationException($"node peer failed ({node.ExitCode}): {stderr.Result}");
        using var doc = JsonDocument.Parse(stdout);
        var ids = doc.RootElement.GetProperty("ids").EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
        var decoded = doc.RootElement.GetProperty("decoded").EnumerateArray().Select(x => x.GetString()!).ToArray();
        return new Result(ids, decoded);
    }

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "build", "node-peer");
            if (File.Exists(Path.Combine(candidate, "node_modules", "@huggingface", "tokenizers", "package.json"))) return candidate;
        }
        throw new DirectoryNotFoundException("build/node-peer with node_modules not found above " + AppContext.BaseDirectory + "; run scripts/setup.sh");
    }
}
