using System.Collections.Concurrent;
using Streaming.Tensors.Tests.IO;

namespace Streaming.Models.Tests.Reference;

/// <summary>
/// Tiny random Hugging Face checkpoints written by the torch reference (llama_ref.py make), each made once
/// per test run under a temporary directory and shared by the tests of the "llama reference" collection.
/// </summary>
public sealed class TinyCheckpoints : IDisposable
{
    readonly TempDirectory root = new();
    readonly ConcurrentDictionary<string, Lazy<string>> made = new();

    /// <summary>LLaMA, untied LM head, 4 query heads over 2 kv heads.</summary>
    public string LlamaUntiedGqa => Get("llama-untied-gqa", "--model-type", "llama", "--seed", "1");

    /// <summary>LLaMA, tied LM head, attention_bias (q/k/v/o biases), 4:1 GQA, rope_theta 500000.</summary>
    public string LlamaTiedGqaBias => Get("llama-tied-gqa-bias", "--model-type", "llama", "--tie", "--attention-bias", "--kv-heads", "1", "--rope-theta", "500000", "--seed", "2");

    /// <summary>Qwen2 with its q/k/v biases, tied LM head, 4:2 GQA, rope_theta 1e6.</summary>
    public string Qwen2TiedGqa => Get("qwen2-tied-gqa", "--model-type", "qwen2", "--tie", "--rope-theta", "1000000", "--seed", "3");

    /// <summary>Qwen2, untied head, plain multi-head attention (4:4).</summary>
    public string Qwen2UntiedMha => Get("qwen2-untied-mha", "--model-type", "qwen2", "--kv-heads", "4", "--seed", "4");

    /// <summary>A checkpoint made with llama_ref.py make <paramref name="options"/>, under <paramref name="name"/>.</summary>
    public string Get(string name, params string[] options) => made.GetOrAdd(name, n => new Lazy<string>(() =>
    {
        var directory = root.File(n);
        LlamaReference.Make(directory, options);
        return directory;
    })).Value;

    /// <summary>A fresh empty directory for a test's own files.</summary>
    public string NewDirectory(string name)
    {
        var directory = root.File(name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        return directory;
    }

    public void Dispose() => root.Dispose();
}

[CollectionDefinition(Name)]
public sealed class LlamaReferenceCollection : ICollectionFixture<TinyCheckpoints>
{
    public const string Name = "llama reference";
}
