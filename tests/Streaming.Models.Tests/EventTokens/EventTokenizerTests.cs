using Streaming.Models.EventTokens;
using Streaming.Models.Language;
using Streaming.Tensors;
using Streaming.Tensors.Tests.IO;
using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Models.Tests.EventTokens;

public class EventTokenizerTests
{
    // Every loss weight off its default, so a weight applied to the wrong term shows.
    static readonly EventTokenConfig Tiny = new()
    {
        Inputs = 6, Hidden = 5, Width = 8, Segments = 4, Codes = 16,
        ReconstructionWeight = 1.3f, ContrastWeight = 0.7f, Temperature = 0.3f, CommitmentWeight = 0.4f,
    };

    static Tensor Frames(int seed, params int[] shape) => Tensor.FromArray(RandomData(new Random(seed), Tensor.Numel(shape)), shape);

    [Theory]
    [InlineData(EventPooling.Adaptive)]
    [InlineData(EventPooling.Uniform)]
    public void Loss_TinyConfig_EveryTermAndGradient_MatchesTorch(EventPooling pooling)
    {
        var config = Tiny with { Pooling = pooling };
        var tokenizer = new EventTokenizer(config, new Random(3));
        var x = Frames(2, 3, 10, 6);                            // B = 3 windows of T = 10 frames, M = 4 segments each
        // Codes near the encodings, as training leaves them, so the segments pick several and the codebook term reaches several rows.
        tokenizer.RestartUnusedCodes(x, new bool[config.Codes], new Random(4));
        var noise = RandomData(new Random(5), config.Codes * config.Width, 0.05f);
        System.Numerics.Tensors.TensorPrimitives.Add(tokenizer.Codebook.Span, noise, tokenizer.Codebook.Span);
        var frames = Tensor.Parameter((float[])x.Data.Clone(), x.Shape);
        var loss = tokenizer.Loss(frames);
        var terms = Tensor.Stack(loss.Terms, 0);                // (5)
        var gradOut = RandomData(new Random(7), terms.Size);
        terms.Backward(Tensor.FromArray(gradOut, terms.Size));

        var parameters = tokenizer.NamedParameters().ToList();
        Assert.Equal(pooling == EventPooling.Adaptive, parameters.Any(p => p.Name.StartsWith("saliency.", StringComparison.Ordinal)));
        var byName = string.Join(", ", parameters.Select((p, i) => $"'{p.Name}': x{i + 1}"));
        var c = config;
        var expr = $"ref_event_tokens.loss_terms(x0, {{{byName}}}, M={c.Segments}, uniform={(pooling == EventPooling.Uniform ? "True" : "False")}, " +
            $"alpha={TorchOracle.Format(c.ReconstructionWeight)}, beta={TorchOracle.Format(c.ContrastWeight)}, tau={TorchOracle.Format(c.Temperature)}, commit_w={TorchOracle.Format(c.CommitmentWeight)})";
        OracleInput[] inputs = [new(x.ToArray(), x.Shape), .. parameters.Select(p => new OracleInput(p.Value.ToArray(), p.Value.Shape))];
        var expected = TorchOracle.Run(new TorchOracle.Case(expr, inputs, gradOut));

        Close("loss terms", terms.ToArray(), expected.Output, 1e-6f, 1e-4f);
        Assert.All(terms.ToArray(), v => Assert.True(v > 0f, "every term is positive on random weights"));
        Assert.True(loss.Codes.Distinct().Count() > 2, $"the 12 segments picked only codes {string.Join(", ", loss.Codes.Distinct())}");
        Close("gradient of the frames", frames.Grad!.ToArray(), expected.Grads[0]!, 1e-6f, 1e-4f);
        for (int i = 0; i < parameters.Count; i++)
            Close($"gradient of {parameters[i].Name}", parameters[i].Value.Grad!.ToArray(), expected.Grads[i + 1]!, 1e-6f, 1e-4f);
    }

    [Fact]
    public void ServedCodes_EqualTheAutogradEncoders_ForTheShippedTokenizerOnUtKinectWindows()
    {
        // The serving path (EncodeBatch, allocation-free kernels) against the path training differentiates (Loss's codes).
        var recognizer = Streaming.Models.LlmAr.LlmArCheckpoint.Load(SharedData.Repository("samples", "vtem"));
        var tokenizer = Assert.IsType<EventTokenizer>(recognizer.Observations);
        var benchmark = Streaming.Models.LlmAr.RecognitionProtocols.UtKinectWindows(SharedData.Path("utkinect-action3d"), 3, 30, 3);
        var frames = recognizer.Frames([.. benchmark.Folds[0].Test.Take(48).Select(s => s.Clip)]);
        var served = tokenizer.EncodeBatch(frames);
        Assert.Equal(tokenizer.Loss(frames).Codes, served);
        Assert.True(served.Distinct().Count() > 20, $"48 windows used only {served.Distinct().Count()} codes");
        // A smaller batch after a larger one reuses the buffers and still gives each window's own codes.
        Assert.Equal(served.AsSpan(0, 5 * tokenizer.Config.Segments).ToArray(), tokenizer.EncodeBatch(frames.Narrow(0, 0, 5)));
    }

    [Theory]
    [InlineData(EventPooling.Adaptive)]
    [InlineData(EventPooling.Uniform)]
    public void ServedCodes_EqualTheAutogradEncoders_OnRandomWindows(EventPooling pooling)
    {
        var tokenizer = new EventTokenizer(Tiny with { Pooling = pooling }, new Random(3));
        var x = Frames(2, 6, 10, 6);
        tokenizer.RestartUnusedCodes(x, new bool[Tiny.Codes], new Random(4));
        Assert.Equal(tokenizer.Loss(x).Codes, tokenizer.EncodeBatch(x));
    }

    [Fact]
    public void SegmentAssignment_ValuesAndGradient_MatchTorch()
    {
        Against(new OpCase("ref_event_tokens.segment_assignment(x0, 5)", x => EventTokenizer.SegmentAssignment(x[0], 5), [Uniform([2, 12], 0.05f, 3f)], 1e-6f, 1e-4f));
    }

    [Fact]
    public void SegmentAssignment_EqualSaliencies_GiveEqualSegmentsCentredOnTheirShareOfTime()
    {
        const int T = 64, M = 16;
        var a = EventTokenizer.SegmentAssignment(Tensor.Ones(1, T), M);   // (1, M, T)
        Assert.Equal([1, M, T], a.Shape);
        var spreads = new double[M];
        for (int m = 0; m < M; m++)
        {
            // Centre and spread of segment m in time, as a fraction of the window: frame t sits at (t + 0.5) / T.
            double sum = 0, mean = 0, square = 0;
            for (int t = 0; t < T; t++)
            {
                double w = a[0, m, t], at = (t + 0.5) / T;
                (sum, mean, square) = (sum + w, mean + w * at, square + w * at * at);
                Assert.Equal(a[0, M - 1 - m, T - 1 - t], w, 1e-6);   // mirrored in time, the segments mirror
            }
            Assert.Equal(1.0, sum, 1e-5);
            spreads[m] = Math.Sqrt(square - mean * mean);
            // The first and last two segments are cut by the window's ends; the others are centred on their share.
            if (m >= 2 && m < M - 2) Assert.Equal((m + 0.5) / M, mean, 1e-5);
        }
        for (int m = 2; m < M - 2; m++) Assert.Equal(1.0 / (2 * M), spreads[m], 1e-5);   // sigma = 1/(2M), equal widths
    }

    [Fact]
    public void SegmentAssignment_SalientStretch_TakesMoreSegments()
    {
        // The second half three times as salient as the first holds 3/4 of the window's saliency, so 12 of the 16 segments.
        const int T = 64, M = 16;
        var s = Tensor.FromArray([.. Enumerable.Range(0, T).Select(t => t < T / 2 ? 1f : 3f)], 1, T);
        var a = EventTokenizer.SegmentAssignment(s, M);
        var peaks = Enumerable.Range(0, M).Select(m => Enumerable.Range(0, T).MaxBy(t => a[0, m, t])).ToArray();
        Assert.Equal(12, peaks.Count(t => t >= T / 2));
        Assert.True(peaks.Zip(peaks.Skip(1)).All(p => p.First < p.Second), $"segments out of order: peaks at frames {string.Join(", ", peaks)}");
    }

    [Fact]
    public void TokensFor_WindowShorterThanSegments_SaysSo()
    {
        var tokenizer = new EventTokenizer(Tiny, new Random(1));
        Assert.Equal(4, tokenizer.TokensFor(4));
        Assert.Equal(4, tokenizer.TokensFor(64));
        var ex = Assert.Throws<ArgumentException>(() => tokenizer.TokensFor(3));
        Assert.Contains("a window of 3 frame(s) is shorter than the M = 4 segments", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => tokenizer.EncodeBatch(Tensor.Zeros(2, 3, 6)));
        Assert.Contains("a window of 3 frame(s) is shorter than the M = 4 segments", ex.Message);
    }

    [Fact]
    public void EncodeBatch_NonFiniteValue_NamesWindowFrameAndValue()
    {
        var tokenizer = new EventTokenizer(Tiny, new Random(1));
        var frames = Frames(2, 2, 8, 6);
        frames[1, 5, 2] = float.NaN;
        var ex = Assert.Throws<ArgumentException>(() => tokenizer.EncodeBatch(frames));
        Assert.Contains("window 1, frame 5, value 2 is NaN; frames must be finite", ex.Message);
        frames[1, 5, 2] = 0f;
        frames[0, 7, 0] = float.NegativeInfinity;
        ex = Assert.Throws<ArgumentException>(() => tokenizer.Loss(frames));
        Assert.Contains("window 0, frame 7, value 0 is -Infinity", ex.Message);
    }

    [Fact]
    public void EncodeBatch_WrongFrameWidth_SaysTheExpectedShape()
    {
        var tokenizer = new EventTokenizer(Tiny, new Random(1));
        var ex = Assert.Throws<ArgumentException>(() => tokenizer.EncodeBatch(Tensor.Zeros(2, 8, 5)));
        Assert.Contains("expected frames (B, T, 6) with B >= 1, got (2, 8, 5)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => tokenizer.EncodeBatch(Tensor.Zeros(8, 6)));
        Assert.Contains("got (8, 6)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => tokenizer.Encode(Tensor.Zeros(1, 8, 6)));
        Assert.Contains("expected one window (T, 6)", ex.Message);
    }

    [Fact]
    public void SaveLoad_RoundTrip_EncodesIdentically()
    {
        var tokenizer = new EventTokenizer(Tiny, new Random(1));
        RandomData(new Random(4), Tiny.Codes * Tiny.Width, 0.5f).CopyTo(tokenizer.Codebook.Span);
        var frames = Frames(2, 5, 12, 6);
        var ids = tokenizer.EncodeBatch(frames);
        Assert.Equal(5 * 4, ids.Length);
        Assert.All(ids, id => Assert.InRange(id, 0, Tiny.Codes - 1));

        using var folder = new TempDirectory();
        tokenizer.Save(folder.Path);
        var loaded = EventTokenizer.Load(folder.Path);
        Assert.Equal(Tiny, loaded.Config);
        Assert.Equal("event-tokens", loaded.Kind);
        Assert.Equal(ids, loaded.EncodeBatch(frames));
        Assert.Equal(ids.Take(4), loaded.Encode(frames.Select(0, 0)));
        Assert.Equal(tokenizer.Embeddings(ids).ToArray(), loaded.Embeddings(ids).ToArray());
        foreach (var (name, value) in tokenizer.NamedParameters())
            Assert.Equal(value.ToArray(), loaded.State()[name].ToArray());
    }

    [Fact]
    public void Load_CodebookOfAnotherSize_NamesTheTensorAndBothShapes()
    {
        using var folder = new TempDirectory();
        using var other = new TempDirectory();
        new EventTokenizer(Tiny, new Random(1)).Save(folder.Path);
        new EventTokenizer(Tiny with { Codes = 32 }, new Random(1)).Save(other.Path);
        File.Copy(Path.Combine(other.Path, EventTokenizer.WeightsFile), Path.Combine(folder.Path, EventTokenizer.WeightsFile), overwrite: true);
        var ex = Assert.Throws<InvalidDataException>(() => EventTokenizer.Load(folder.Path));
        Assert.Contains(EventTokenizer.WeightsFile, ex.Message);
        Assert.Contains("does not fit the config in event_tokens.json", ex.Message);
        Assert.Contains("codebook is (16, 8) in the model, (32, 8) in the checkpoint", ex.Message);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        using var folder = new TempDirectory();
        new EventTokenizer(Tiny, new Random(1)).Save(folder.Path);
        File.Delete(Path.Combine(folder.Path, EventTokenizer.WeightsFile));
        var ex = Assert.Throws<FileNotFoundException>(() => EventTokenizer.Load(folder.Path));
        Assert.Contains("event_tokens.safetensors is missing", ex.Message);
        File.Delete(Path.Combine(folder.Path, EventTokenizer.ConfigFile));
        ex = Assert.Throws<FileNotFoundException>(() => EventTokenizer.Load(folder.Path));
        Assert.Contains("event_tokens.json", ex.Message);
    }

    [Fact]
    public void Load_PoolingItDoesNotKnow_NamesTheField()
    {
        using var folder = new TempDirectory();
        new EventTokenizer(Tiny, new Random(1)).Save(folder.Path);
        var config = Path.Combine(folder.Path, EventTokenizer.ConfigFile);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"Adaptive\"", "\"Learned\"", StringComparison.Ordinal));
        var ex = Assert.Throws<InvalidDataException>(() => EventTokenizer.Load(folder.Path));
        Assert.Contains("field 'pooling': 'Learned'; expected Adaptive or Uniform", ex.Message);
    }

    public static TheoryData<string, string> InvalidConfigs => new()
    {
        { "inputs", "inputs (values per frame) is 0" },
        { "hidden", "hidden (channels) is -1" },
        { "width", "width (the language model's hidden size) is 0" },
        { "segments", "segments (M) is 1; need at least 2" },
        { "codes", "codes (K) is 0" },
        { "pooling", "pooling 7 is neither Adaptive nor Uniform" },
        { "alpha", "reconstruction weight (alpha) is -1" },
        { "beta", "contrast weight (beta) is NaN" },
        { "tau", "temperature (tau) is 0" },
        { "commitment", "commitment weight is -0.5" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Config_InvalidField_IsNamed(string field, string message)
    {
        var config = field switch
        {
            "inputs" => Tiny with { Inputs = 0 },
            "hidden" => Tiny with { Hidden = -1 },
            "width" => Tiny with { Width = 0 },
            "segments" => Tiny with { Segments = 1 },
            "codes" => Tiny with { Codes = 0 },
            "pooling" => Tiny with { Pooling = (EventPooling)7 },
            "alpha" => Tiny with { ReconstructionWeight = -1f },
            "beta" => Tiny with { ContrastWeight = float.NaN },
            "tau" => Tiny with { Temperature = 0f },
            "commitment" => Tiny with { CommitmentWeight = -0.5f },
            _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
        };
        var ex = Assert.Throws<ArgumentException>(() => new EventTokenizer(config, new Random(1)));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void ForLanguageModel_TakesItsHiddenSize_AndCheckLanguageModelRejectsAnother()
    {
        Assert.Equal(128, EventTokenConfig.ForLanguageModel(new LlamaConfig { HiddenSize = 128 }, 60).Width);
        var tokenizer = new EventTokenizer(Tiny, new Random(1));
        tokenizer.CheckLanguageModel(new LlamaConfig { HiddenSize = 8, HeadDim = 2 });
        var ex = Assert.Throws<ArgumentException>(() => tokenizer.CheckLanguageModel(new LlamaConfig { HiddenSize = 128 }));
        Assert.Contains("event-tokens: the codebook width is 8 but the language model's hidden_size is 128", ex.Message);
    }

    [Fact]
    public void Embeddings_AreCodebookRows_AndAnIdOutsideIsAnError()
    {
        var tokenizer = new EventTokenizer(Tiny, new Random(1));
        var rows = tokenizer.Embeddings([3, 0, 3]);
        Assert.Equal([3, Tiny.Width], rows.Shape);
        Assert.Equal(tokenizer.Codebook.Select(0, 3).ToArray(), rows.Select(0, 0).ToArray());
        Assert.Equal(tokenizer.Codebook.Select(0, 0).ToArray(), rows.Select(0, 1).ToArray());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Embeddings([16]));
        Assert.Contains("code id 16 is outside [0, 16)", ex.Message);
    }

    [Fact]
    public void RestartUnusedCodes_MovesOnlyUnusedCodes_OntoSegmentEncodings()
    {
        var tokenizer = new EventTokenizer(Tiny, new Random(1));
        var frames = Frames(2, 3, 10, 6);
        var before = tokenizer.Codebook.ToArray();
        var used = new bool[Tiny.Codes];
        for (int k = 0; k < Tiny.Codes; k += 2) used[k] = true;
        Assert.Equal(8, tokenizer.RestartUnusedCodes(frames, used, new Random(5)));
        var after = tokenizer.Codebook.ToArray();
        int D = Tiny.Width;
        for (int k = 0; k < Tiny.Codes; k++)
            Assert.Equal(used[k], before.AsSpan(k * D, D).SequenceEqual(after.AsSpan(k * D, D)));
        // A moved code sits on a segment's encoding, so that segment now picks a moved code.
        Assert.Contains(tokenizer.EncodeBatch(frames), id => !used[id]);
        Assert.Throws<ArgumentException>(() => tokenizer.RestartUnusedCodes(frames, new bool[3], new Random(5)));
    }
}
