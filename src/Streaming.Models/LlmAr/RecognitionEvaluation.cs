using System.Diagnostics;
using Streaming.Models.ActionSentences;
using Streaming.Models.EventTokens;
using Streaming.Models.Observations;
using Streaming.Models.Recognition;

namespace Streaming.Models.LlmAr;

/// <summary>The ablations of LLM-AR that <c>eval recognition</c> can add, one row and one model each.</summary>
public enum RecognitionAblation
{
    /// <summary>The codebook in flat Euclidean space instead of the Poincare ball.</summary>
    EuclideanCodebook,

    /// <summary>L_human without its Zipf term.</summary>
    NoZipf,

    /// <summary>L_human without its context term (codes u and u + U/2 used together).</summary>
    NoContext,

    /// <summary>L_human without the MMD between the codebook and the language model's token embeddings.</summary>
    NoMmd,

    /// <summary>No L_human at all.</summary>
    NoHuman,

    /// <summary>The frozen language model without LoRA: only the action tokens and the class head train.</summary>
    FrozenLm,

    /// <summary>LoRA of rank 8 instead of 64.</summary>
    LoraRank8,

    /// <summary>The action sentences into a plain classifier instead of the language model (<see cref="ActionSentenceClassifier"/>).</summary>
    SentenceClassifier,

    /// <summary>VTEM + P-Tuning v2 with segments of equal length instead of saliency-pooled ones.</summary>
    VtemUniformPooling,

    /// <summary>VTEM + P-Tuning v2 with the method's InfoNCE term (beta 0.5) in the event tokenizer's loss, which is off by default.</summary>
    VtemInfoNce,

    /// <summary>VTEM + P-Tuning v2 with K = 256 event codes (512 by default).</summary>
    VtemCodes256,

    /// <summary>VTEM + P-Tuning v2 with K = 1024 event codes.</summary>
    VtemCodes1024,

    /// <summary>VTEM + P-Tuning v2 with K = 2048 event codes (the paper's).</summary>
    VtemCodes2048,

    /// <summary>VTEM + P-Tuning v2 with L = 4 prompts per layer (32 by default).</summary>
    VtemPrompts4,

    /// <summary>VTEM + P-Tuning v2 with L = 16 prompts per layer (the method's).</summary>
    VtemPrompts16,

    /// <summary>VTEM without soft prompts: the frozen model reads the event tokens through their trained embeddings only.</summary>
    VtemNoPrompts,
}

/// <summary>The language-model recognizers <c>eval recognition</c> trains beside LLM-AR (action sentences + LoRA): the other cells of tokenizer x adapter.</summary>
public enum RecognitionMethod
{
    /// <summary>LLM-AR's action sentences read through P-Tuning v2's prompts instead of LoRA.</summary>
    ActionSentencesPTuning,

    /// <summary>VT-LVLM-AR: VTEM's event tokens read through P-Tuning v2's prompts.</summary>
    VtemPTuning,

    /// <summary>VTEM's event tokens read through LoRA.</summary>
    VtemLora,
}

/// <summary>What <see cref="RecognitionEvaluation"/> trains and how long.</summary>
public sealed record RecognitionEvalOptions
{
    /// <summary>The frozen base language model of every LLM-AR: a Hugging Face folder with tokenizer.json.</summary>
    public required string BaseModelFolder { get; init; }

    public IReadOnlyList<RecognitionAblation> Ablations { get; init; } = [];

    /// <summary>The recognizers beside LLM-AR; all by default.</summary>
    public IReadOnlyList<RecognitionMethod> Methods { get; init; } = Enum.GetValues<RecognitionMethod>();

    /// <summary>Ablations on every protocol; otherwise on (a) and (c) only, which train one model per row instead of ten.</summary>
    public bool AblationsEverywhere { get; init; }

    public LlmArConfig LlmAr { get; init; } = new();
    public LlmArTrainingOptions Training { get; init; } = new();
    public SkeletonTrainingOptions Mlp { get; init; } = new();
    public PoseClassifierOptions Logistic { get; init; } = new();

    /// <summary>A few epochs of everything: a smoke run that checks the whole evaluation end to end, not its accuracy.</summary>
    public RecognitionEvalOptions Quick() => this with
    {
        Training = Training with { TokenizerSteps = 20, Steps = 40 },
        Mlp = Mlp with { Epochs = 10 },
        Logistic = Logistic with { Steps = 100 },
    };

    public bool AblatesOn(RecognitionProtocol protocol) =>
        AblationsEverywhere || protocol is RecognitionProtocol.MsrCrossSubject or RecognitionProtocol.UtKinectWindows;
}

/// <summary>
/// One row of the table: a method on a protocol, the test accuracy of each fold and the cost of each stage summed over the
/// folds. A cost that is null was shared: the label-likelihood readout reads the LLM-AR row's model, and the ablations
/// that change only the recognizer stage (frozen LM, LoRA rank 8, the sentence classifier) reuse its tokenizer, which they
/// would have trained identically. <paramref name="TrainedParameters"/>: the values the recognizer stage trains (adapter,
/// action tokens, head; the weights of a baseline), null where the row reads another row's model.
/// </summary>
public sealed record RecognitionRow(RecognitionProtocol Protocol, string Method, IReadOnlyList<double> FoldAccuracies,
    TimeSpan? TokenizerTime, TimeSpan? TrainingTime, TimeSpan EvaluationTime, int TestClips, long? TrainedParameters = null)
{
    public double Accuracy => FoldAccuracies.Average();

    public double? TokenizerSecondsPerFold => TokenizerTime?.TotalSeconds / FoldAccuracies.Count;

    public double? TrainingSecondsPerFold => TrainingTime?.TotalSeconds / FoldAccuracies.Count;

    public double EvaluationMsPerClip => EvaluationTime.TotalMilliseconds / Math.Max(1, TestClips);
}

/// <summary>Where an evaluation is: which protocol, fold and method, how many models are trained, and the stage within one.</summary>
public readonly record struct RecognitionProgress(RecognitionProtocol Protocol, string Fold, string Method, int Done, int Total, LlmArProgress? Stage);

/// <summary>
/// <c>eval recognition</c>: on every fold of a protocol, LLM-AR (read out by its class head and by label likelihood), the
/// MLP of <c>train mlp</c>, the logistic baseline of <c>train baseline</c> and the chosen ablations, each trained on the
/// fold's training samples and scored by top-1 accuracy on its test samples.
/// </summary>
public static class RecognitionEvaluation
{
    public const string LlmAr = "llm-ar";
    public const string LabelLikelihood = "llm-ar label-likelihood";
    public const string ActionSentencesPTuning = "action-sentences + p-tuning-v2";
    public const string VtemPTuning = "vtem + p-tuning-v2";
    public const string VtemLora = "vtem + lora";
    public const string Mlp = "mlp";
    public const string Logistic = "logistic";

    /// <summary>The row name of each ablation, which <c>--ablations</c> takes.</summary>
    public static string Name(RecognitionAblation ablation) => ablation switch
    {
        RecognitionAblation.EuclideanCodebook => "euclidean-codebook",
        RecognitionAblation.NoZipf => "no-zipf",
        RecognitionAblation.NoContext => "no-context",
        RecognitionAblation.NoMmd => "no-mmd",
        RecognitionAblation.NoHuman => "no-lhuman",
        RecognitionAblation.FrozenLm => "frozen-lm",
        RecognitionAblation.LoraRank8 => "lora-rank-8",
        RecognitionAblation.SentenceClassifier => "sentence-classifier",
        RecognitionAblation.VtemUniformPooling => "vtem-uniform-pooling",
        RecognitionAblation.VtemInfoNce => "vtem-infonce",
        RecognitionAblation.VtemCodes256 => "vtem-codes-256",
        RecognitionAblation.VtemCodes1024 => "vtem-codes-1024",
        RecognitionAblation.VtemCodes2048 => "vtem-codes-2048",
        RecognitionAblation.VtemPrompts4 => "vtem-prompts-4",
        RecognitionAblation.VtemPrompts16 => "vtem-prompts-16",
        RecognitionAblation.VtemNoPrompts => "vtem-no-prompts",
        _ => throw new ArgumentOutOfRangeException(nameof(ablation), ablation, null),
    };

    /// <summary>The row name of each method, which <c>--methods</c> takes.</summary>
    public static string Name(RecognitionMethod method) => method switch
    {
        RecognitionMethod.ActionSentencesPTuning => ActionSentencesPTuning,
        RecognitionMethod.VtemPTuning => VtemPTuning,
        RecognitionMethod.VtemLora => VtemLora,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>The models a protocol of <paramref name="folds"/> folds trains, for the progress display.</summary>
    public static int Trainings(RecognitionProtocol protocol, int folds, RecognitionEvalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return folds * (3 + options.Methods.Distinct().Count() + (options.AblatesOn(protocol) ? options.Ablations.Distinct().Count() : 0));
    }

    /// <summary>
    /// Trains and scores every method on every fold of <paramref name="benchmark"/>. For the progress reports of a run over
    /// several protocols: <paramref name="done"/> models were trained before this one, <paramref name="total"/> in all.
    /// </summary>
    public static IReadOnlyList<RecognitionRow> Run(RecognitionBenchmark benchmark, RecognitionEvalOptions options, int done = 0, int total = 0,
        IProgress<RecognitionProgress>? progress = null, RecognitionCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        ArgumentNullException.ThrowIfNull(options);
        var ablations = options.AblatesOn(benchmark.Protocol) ? options.Ablations.Distinct().Order().ToList() : [];
        total = Math.Max(total, done + Trainings(benchmark.Protocol, benchmark.Folds.Count, options));
        var cells = new OrderedDictionary<string, List<RecognitionCell>>();   // rows in the order they first ran
        var config = options.LlmAr with { Sequence = benchmark.Sequence };
        var vtemConfig = config with { Tokenizer = LlmArTokenizer.EventTokens, Adapter = LlmArAdapter.PTuningV2 };
        bool vtemShared = options.Methods.Contains(RecognitionMethod.VtemPTuning);
        foreach (var fold in benchmark.Folds)
        {
            var split = benchmark.Split(fold);
            IProgress<LlmArProgress> Stage(string method) => new Relay<LlmArProgress>(p =>
                progress?.Report(new RecognitionProgress(benchmark.Protocol, fold.Name, method, done, total, p)));
            void Add(string method, RecognitionCell cell)
            {
                if (!cells.TryGetValue(method, out var list)) cells[method] = list = [];
                list.Add(cell);
            }
            void Trained() => progress?.Report(new RecognitionProgress(benchmark.Protocol, fold.Name, "", ++done, total, null));
            // A row's result on this fold: from the cache, or computed and kept there.
            void Row(string method, Func<RecognitionCell> compute)
            {
                var cell = cache?.Cell(benchmark, fold, method);
                if (cell is null)
                {
                    cell = compute();
                    cache?.Save(benchmark, fold, method, cell);
                }
                Add(method, cell);
                Trained();
            }
            LlmArRun Train(LlmArConfig changed, string method, ObservationTokenizer? tokenizer = null,
                Func<ActionSentenceConfig, ActionSentenceConfig>? sentences = null, Func<EventTokenConfig, EventTokenConfig>? events = null) =>
                LlmArExperiment.Train(options.BaseModelFolder, split, changed, options.Training, sentences,
                    tokenizer is null ? null : new LlmArCheckpointing { Tokenizer = tokenizer }, Stage(method), events);

            // LLM-AR: both readouts read one model, whose tokenizer the rows that change only the recognizer stage share.
            LlmArRun? main = null;
            LlmArRun TrainMain()
            {
                main = Train(config, LlmAr);
                cache?.SaveTokenizer(benchmark, fold, LlmAr, main.Model.Observations);
                return main;
            }
            var head = cache?.Cell(benchmark, fold, LlmAr);
            var likelihood = cache?.Cell(benchmark, fold, LabelLikelihood);
            if (head is null || likelihood is null)
            {
                var run = TrainMain();
                head = Score(run, split, LlmArReadout.ClassHead);
                likelihood = Score(run, split, LlmArReadout.LabelLikelihood) with { Tokenizer = null, Training = null, Parameters = null };
                cache?.Save(benchmark, fold, LlmAr, head);
                cache?.Save(benchmark, fold, LabelLikelihood, likelihood);
            }
            Add(LlmAr, head);
            Add(LabelLikelihood, likelihood);
            Trained();
            ObservationTokenizer? sentenceTokenizer = null;
            ObservationTokenizer Sentences() => sentenceTokenizer ??= main?.Model.Observations
                ?? cache?.Tokenizer(benchmark, fold, LlmAr, LlmArTokenizer.ActionSentences) ?? TrainMain().Model.Observations;

            if (options.Methods.Contains(RecognitionMethod.ActionSentencesPTuning))
                Row(ActionSentencesPTuning, () => Score(Train(config with { Adapter = LlmArAdapter.PTuningV2 }, ActionSentencesPTuning, Sentences()),
                    split, LlmArReadout.ClassHead) with { Tokenizer = null });

            // VTEM + P-Tuning v2, when it runs, trains the event tokenizer the other VTEM rows read; otherwise each trains its own.
            LlmArRun? vtem = null;
            LlmArRun TrainVtem()
            {
                vtem = Train(vtemConfig, VtemPTuning);
                cache?.SaveTokenizer(benchmark, fold, VtemPTuning, vtem.Model.Observations);
                return vtem;
            }
            if (vtemShared) Row(VtemPTuning, () => Score(TrainVtem(), split, LlmArReadout.ClassHead));
            ObservationTokenizer? eventTokenizer = null;
            ObservationTokenizer? SharedEvents() => !vtemShared ? null : eventTokenizer ??= vtem?.Model.Observations
                ?? cache?.Tokenizer(benchmark, fold, VtemPTuning, LlmArTokenizer.EventTokens) ?? TrainVtem().Model.Observations;
            RecognitionCell OnEvents(LlmArConfig changed, string method)
            {
                var cell = Score(Train(changed, method, SharedEvents()), split, LlmArReadout.ClassHead);
                return vtemShared ? cell with { Tokenizer = null } : cell;
            }
            if (options.Methods.Contains(RecognitionMethod.VtemLora))
                Row(VtemLora, () => OnEvents(vtemConfig with { Adapter = LlmArAdapter.Lora }, VtemLora));

            Row(Mlp, () => TrainMlp(benchmark, fold, options.Mlp));
            Row(Logistic, () => TrainLogistic(benchmark, fold, options.Logistic));
            foreach (var ablation in ablations)
            {
                var name = Name(ablation);
                Row(name, () => ablation switch
                {
                    RecognitionAblation.SentenceClassifier => TrainSentenceClassifier(Sentences(), split, config.Frames, options.Training, Stage(name)),
                    RecognitionAblation.FrozenLm => Score(Train(config with { Adapter = LlmArAdapter.None }, name, Sentences()), split, LlmArReadout.ClassHead) with { Tokenizer = null },
                    RecognitionAblation.LoraRank8 => Score(Train(config with { LoraRank = 8 }, name, Sentences()), split, LlmArReadout.ClassHead) with { Tokenizer = null },
                    RecognitionAblation.VtemPrompts4 => OnEvents(vtemConfig with { PromptTokens = 4 }, name),
                    RecognitionAblation.VtemPrompts16 => OnEvents(vtemConfig with { PromptTokens = 16 }, name),
                    RecognitionAblation.VtemNoPrompts => OnEvents(vtemConfig with { Adapter = LlmArAdapter.None }, name),
                    RecognitionAblation.VtemUniformPooling or RecognitionAblation.VtemInfoNce or RecognitionAblation.VtemCodes256
                        or RecognitionAblation.VtemCodes1024 or RecognitionAblation.VtemCodes2048 =>
                        Score(Train(vtemConfig, name, events: Events(ablation)), split, LlmArReadout.ClassHead),
                    _ => Score(Train(config, name, sentences: Tokenizer(ablation)), split, LlmArReadout.ClassHead),
                });
            }
        }
        return [.. cells.Select(c => new RecognitionRow(benchmark.Protocol, c.Key, [.. c.Value.Select(v => v.Accuracy)],
            Sum(c.Value.Select(v => v.Tokenizer)), Sum(c.Value.Select(v => v.Training)),
            TimeSpan.FromTicks(c.Value.Sum(v => v.Evaluation.Ticks)), c.Value.Sum(v => v.TestClips), c.Value[0].Parameters))];
    }

    /// <summary>The event tokenizer's config under each ablation of its pooling, loss or codebook.</summary>
    static Func<EventTokenConfig, EventTokenConfig> Events(RecognitionAblation ablation) => ablation switch
    {
        RecognitionAblation.VtemUniformPooling => c => c with { Pooling = EventPooling.Uniform },
        RecognitionAblation.VtemInfoNce => c => c with { ContrastWeight = 0.5f },
        RecognitionAblation.VtemCodes256 => c => c with { Codes = 256 },
        RecognitionAblation.VtemCodes1024 => c => c with { Codes = 1024 },
        RecognitionAblation.VtemCodes2048 => c => c with { Codes = 2048 },
        _ => throw new ArgumentOutOfRangeException(nameof(ablation), ablation, "not an ablation of the event tokenizer"),
    };

    /// <summary>The tokenizer's config under each ablation of its loss or geometry.</summary>
    static Func<ActionSentenceConfig, ActionSentenceConfig> Tokenizer(RecognitionAblation ablation) => ablation switch
    {
        RecognitionAblation.EuclideanCodebook => c => c with { Geometry = CodebookGeometry.Euclidean },
        RecognitionAblation.NoZipf => c => c with { ZipfWeight = 0 },
        RecognitionAblation.NoContext => c => c with { ContextWeight = 0 },
        RecognitionAblation.NoMmd => c => c with { MmdWeight = 0 },
        RecognitionAblation.NoHuman => c => c with { HumanWeight = 0 },
        _ => throw new ArgumentOutOfRangeException(nameof(ablation), ablation, "not an ablation of the tokenizer"),
    };

    static RecognitionCell Score(LlmArRun run, RecognitionSplit split, LlmArReadout readout)
    {
        var clock = Stopwatch.StartNew();
        var (accuracy, _) = LlmArTraining.Evaluate(run.Model, split.Test, readout);
        return new RecognitionCell(accuracy, run.TokenizerTime, run.RecognizerTime, clock.Elapsed, split.Test.Count, run.Model.TrainedParameterCount);
    }

    static RecognitionCell TrainSentenceClassifier(ObservationTokenizer sentences, RecognitionSplit split, int frames, LlmArTrainingOptions options, IProgress<LlmArProgress> progress)
    {
        var clock = Stopwatch.StartNew();
        var model = ActionSentenceClassifier.Train(sentences, split.Train, split.Labels.Count, frames, options, progress);
        var training = clock.Elapsed;
        clock.Restart();
        var p = model.Probabilities([.. split.Test.Select(c => c.Clip)]);
        return new RecognitionCell(Accuracy(p, [.. split.Test.Select(c => c.Label)]), null, training, clock.Elapsed, split.Test.Count, model.TrainableParameters().Sum(q => (long)q.Value.Size));
    }

    static RecognitionCell TrainMlp(RecognitionBenchmark benchmark, RecognitionFold fold, SkeletonTrainingOptions options)
    {
        var clock = Stopwatch.StartNew();
        var model = SkeletonClassifierTraining.Train([.. fold.Train.Select(s => s.Sequence)], [.. fold.Train.Select(s => s.Label)], benchmark.Labels, options);
        var training = clock.Elapsed;
        clock.Restart();
        var p = model.Probabilities([.. fold.Test.Select(s => s.Sequence)]);
        return new RecognitionCell(Accuracy(p, [.. fold.Test.Select(s => s.Label)]), null, training, clock.Elapsed, fold.Test.Count, model.Model.NamedParameters().Sum(q => (long)q.Value.Size));
    }

    static RecognitionCell TrainLogistic(RecognitionBenchmark benchmark, RecognitionFold fold, PoseClassifierOptions options)
    {
        var clock = Stopwatch.StartNew();
        var windows = fold.Train.Select(s => new PoseWindow(s.Sequence.Positions, s.Sequence.Frames, s.Label)).ToList();
        int joints = fold.Train[0].Sequence.Joints, typicalFrames = (int)fold.Train.Average(s => s.Sequence.Frames);
        var model = PoseClassifier.Train(windows, benchmark.Labels, benchmark.Layout, joints, typicalFrames, options);
        var training = clock.Elapsed;
        clock.Restart();
        var p = fold.Test.Select(s => model.Probabilities(s.Sequence.Positions, s.Sequence.Frames)).ToArray();
        return new RecognitionCell(Accuracy(p, [.. fold.Test.Select(s => s.Label)]), null, training, clock.Elapsed, fold.Test.Count, model.ParameterCount);
    }

    static double Accuracy(float[][] probabilities, int[] labels) =>
        labels.Length == 0 ? 0 : labels.Where((label, i) => Array.IndexOf(probabilities[i], probabilities[i].Max()) == label).Count() / (double)labels.Length;

    static TimeSpan? Sum(IEnumerable<TimeSpan?> times)
    {
        var list = times.ToList();
        return list.Any(t => t is null) ? null : TimeSpan.FromTicks(list.Sum(t => t!.Value.Ticks));
    }

    /// <summary>Reports on the training thread, in order (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    sealed class Relay<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
