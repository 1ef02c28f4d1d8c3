using Streaming.Models.ActionSentences;
using Streaming.Models.LlmAr;

namespace Streaming.Models.Tests.LlmAr;

/// <summary>
/// eval recognition's results folder: a fold's result comes back as it was kept, and only for the same settings, base
/// model and fold; a file cut short or a tokenizer saved without its key reads as absent, so the run computes it again.
/// </summary>
public sealed class RecognitionCacheTests : IDisposable
{
    static readonly RecognitionBenchmark Msr = RecognitionProtocols.MsrCrossSubject(SharedData.Path("msr-action3d"), 3);
    static readonly RecognitionEvalOptions Options = new() { BaseModelFolder = SharedData.Repository("samples", "lm") };
    static readonly RecognitionCell Result = new(0.718, TimeSpan.FromSeconds(245.5), TimeSpan.FromSeconds(84.25), TimeSpan.FromSeconds(0.5), 273, 660_000);

    readonly string folder = Directory.CreateTempSubdirectory("recognition-cache-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    RecognitionFold Fold => Msr.Folds[0];

    [Fact]
    public void KeptResult_ComesBackWhole_AndCounts()
    {
        var cache = new RecognitionCache(folder, Options);
        Assert.Null(cache.Cell(Msr, Fold, "llm-ar"));
        cache.Save(Msr, Fold, "llm-ar", Result);
        cache.Save(Msr, Fold, "llm-ar label-likelihood", Result with { Tokenizer = null, Training = null, Parameters = null });

        var again = new RecognitionCache(folder, Options);
        Assert.Equal(Result, again.Cell(Msr, Fold, "llm-ar"));
        var shared = again.Cell(Msr, Fold, "llm-ar label-likelihood");
        Assert.NotNull(shared);
        Assert.Null(shared.Tokenizer);
        Assert.Null(shared.Parameters);
        Assert.Null(again.Cell(Msr, Fold, "mlp"));
        Assert.Equal(2, again.Reused);
    }

    [Fact]
    public void OtherSettingsOrOtherFold_ReadNothing()
    {
        new RecognitionCache(folder, Options).Save(Msr, Fold, "llm-ar", Result);
        Assert.Null(new RecognitionCache(folder, Options with { Training = Options.Training with { Seed = 2 } }).Cell(Msr, Fold, "llm-ar"));
        Assert.Null(new RecognitionCache(folder, Options with { LlmAr = Options.LlmAr with { LoraRank = 8 } }).Cell(Msr, Fold, "llm-ar"));
        // Same name, other samples: a fold is known by what it trains and tests on.
        var fewer = Fold with { Test = [.. Fold.Test.Skip(1)] };
        Assert.Null(new RecognitionCache(folder, Options).Cell(Msr, fewer, "llm-ar"));
        Assert.NotNull(new RecognitionCache(folder, Options).Cell(Msr, Fold, "llm-ar"));
    }

    [Fact]
    public void TwoSeeds_KeepBothResults()
    {
        var seed2 = Options with { Training = Options.Training with { Seed = 2 } };
        new RecognitionCache(folder, Options).Save(Msr, Fold, "llm-ar", Result);
        new RecognitionCache(folder, seed2).Save(Msr, Fold, "llm-ar", Result with { Accuracy = 0.67 });
        Assert.Equal(0.718, new RecognitionCache(folder, Options).Cell(Msr, Fold, "llm-ar")!.Accuracy);
        Assert.Equal(0.67, new RecognitionCache(folder, seed2).Cell(Msr, Fold, "llm-ar")!.Accuracy);
        Assert.Equal(2, Directory.GetFiles(folder, "llm-ar.json", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void FileCutShort_ReadsAsAbsent()
    {
        var cache = new RecognitionCache(folder, Options);
        cache.Save(Msr, Fold, "mlp", Result);
        var file = Assert.Single(Directory.GetFiles(folder, "mlp.json", SearchOption.AllDirectories));
        File.WriteAllText(file, File.ReadAllText(file)[..40]);
        Assert.Null(cache.Cell(Msr, Fold, "mlp"));
        Assert.Equal(0, cache.Reused);
    }

    [Fact]
    public void Tokenizer_ComesBackWithItsCodes_UnlessItsKeyIsMissing()
    {
        var tokenizer = new ActionSentenceTokenizer(new ActionSentenceConfig { Inputs = 60, Hidden = 16, Width = 128 }, new Random(3));
        var cache = new RecognitionCache(folder, Options);
        Assert.Null(cache.Tokenizer(Msr, Fold, "llm-ar", LlmArTokenizer.ActionSentences));
        cache.SaveTokenizer(Msr, Fold, "llm-ar", tokenizer);

        var loaded = Assert.IsType<ActionSentenceTokenizer>(cache.Tokenizer(Msr, Fold, "llm-ar", LlmArTokenizer.ActionSentences));
        var frames = Streaming.Tensors.Tensor.FromArray([.. Enumerable.Range(0, 2 * 16 * 60).Select(i => MathF.Sin(i * 0.1f))], 2, 16, 60);
        Assert.Equal(tokenizer.EncodeBatch(frames), loaded.EncodeBatch(frames));
        Assert.Null(new RecognitionCache(folder, Options with { Training = Options.Training with { Seed = 2 } }).Tokenizer(Msr, Fold, "llm-ar", LlmArTokenizer.ActionSentences));

        File.Delete(Assert.Single(Directory.GetFiles(folder, "key.txt", SearchOption.AllDirectories)));
        Assert.Null(cache.Tokenizer(Msr, Fold, "llm-ar", LlmArTokenizer.ActionSentences));
    }
}
