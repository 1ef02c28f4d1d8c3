using System.Diagnostics;
using Streaming.Models.Datasets;
using Streaming.Tensors;
using Streaming.Tensors.Optim;

namespace Streaming.Models.Anticipation;

/// <summary>Training of <see cref="ActionLlm"/>: schedule, observation sampling, label noise and which losses count.</summary>
public sealed record ActionLlmTrainingOptions
{
    public int Epochs { get; init; } = 20;                    // [20]

    /// <summary>
    /// Stop after this many of the <see cref="Epochs"/>, the learning-rate schedule still spanning them all: a model
    /// refitted on more videos then ends where the epoch validation chose left the validated one. Null runs them all.
    /// </summary>
    public int? StopAfterEpochs { get; init; }

    /// <summary>The epoch training ends after: <see cref="StopAfterEpochs"/> when set, else <see cref="Epochs"/>.</summary>
    public int LastEpoch => StopAfterEpochs ?? Epochs;
    public float LearningRate { get; init; } = 1e-3f;         // [1e-3 on 50 Salads]
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>A video is seen as this many steps, whatever its length: the sampling rate adapts to the dataset.</summary>
    public int StepsPerVideo { get; init; } = 200;

    /// <summary>Observed fractions drawn per example, uniform in [min, max] (the protocol observes 0.2 and 0.3).</summary>
    public double MinObserved { get; init; } = 0.1;
    public double MaxObserved { get; init; } = 0.5;

    /// <summary>Observations drawn per training video and epoch.</summary>
    public int ObservationsPerVideo { get; init; } = 4;

    /// <summary>Observations per optimizer step, of neighbouring lengths (<see cref="ActionLlmTraining.EpochBatches"/>), padded to the longest and run in one forward; the loss is their mean.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Fraction of observed steps relabelled at random in training, so noisy past labels are tolerated.</summary>
    public double LabelNoise { get; init; } = 0.1;

    public bool TextLoss { get; init; } = true;               // L_T; ablation "without L_T"
    public bool VisualLoss { get; init; } = true;             // L_V, for a model that reads visual features; ablation "without L_V"

    /// <summary>
    /// Give the trained model the training runs' durations (<see cref="ActionLlm.Durations"/>), from which decoding takes
    /// the remaining time of the action in progress; false leaves it to the first query, as in the paper.
    /// </summary>
    public bool DurationPrior { get; init; } = true;

    /// <summary>
    /// Give the trained model the training runs' transitions (<see cref="ActionLlm.Transitions"/>), by which decoding
    /// weighs each query's class probabilities; false decodes the queries alone, as in the paper.
    /// </summary>
    public bool TransitionPrior { get; init; } = true;

    /// <summary>Weight of L_D: the durations' squared errors are small numbers (fractions) beside cross-entropies.</summary>
    public float DurationLossWeight { get; init; } = 1f;
    public int Seed { get; init; } = 1;
}

/// <summary>Progress after each optimizer step.</summary>
public readonly record struct AnticipationProgress(int Epoch, int Epochs, int Step, int TotalSteps, float Loss, double ExamplesPerSecond);

/// <summary>Where a run stands after an epoch: the epochs done and the optimizer's moments.</summary>
public sealed record AnticipationTrainingState(int EpochsDone, IReadOnlyDictionary<string, Tensor> Optimizer);

/// <summary>One observation of a video and what follows it, in ActionLLM's terms.</summary>
public sealed record AnticipationExample(int[] Observed, int[] FutureClasses, float[] FutureDurations, int FutureSegments);

/// <summary>
/// Trains ActionLLM on frame-label videos and predicts frame labels with it. A video of L frames is seen through
/// steps of r = L / StepsPerVideo frames: the observation is the labels of its steps; the target is the sequence of
/// following segments (the first is always the rest of the current action, possibly empty) with durations as
/// fractions of the unobserved rest of the video (they sum to 1 when the queries reach its end), ended by "None",
/// up to N queries. Loss L_V + L_T + L_A + L_D: past labels at the visual positions (when the videos have
/// features) and at the text positions of the (noisy) observation, future classes, and the squared error of the
/// durations of real (not "None") segments.
/// </summary>
public static class ActionLlmTraining
{
    /// <summary>
    /// The frames the steps of the first <paramref name="observedFrames"/> of a <paramref name="length"/>-frame video
    /// stand for: 0, r, 2r, ... with r = length / stepsPerVideo (at least 1). Training labels, training features and
    /// anticipation all sample here, so they always see the same frames.
    /// </summary>
    static int[] StepFrames(int observedFrames, int length, int stepsPerVideo)
    {
        int rate = Math.Max(1, length / stepsPerVideo);
        return [.. Enumerable.Range(0, (observedFrames + rate - 1) / rate).Select(i => i * rate)];
    }

    public static AnticipationExample Example(IReadOnlyList<int> labels, double observedFraction, int stepsPerVideo, int queries, int noneClass)
    {
        int length = labels.Count, observedFrames = Math.Max(1, (int)(observedFraction * length));
        if (observedFrames >= length)
            throw new ArgumentOutOfRangeException(nameof(observedFraction), $"ActionLLM example: observing {observedFraction} of a {length}-frame video leaves no future.");
        var observed = StepFrames(observedFrames, length, stepsPerVideo).Select(f => labels[f]).ToArray();
        var classes = Enumerable.Repeat(noneClass, queries).ToArray();
        var durations = new float[queries];
        // Segment 0 is the rest of the current action, however short: 0 frames when the observation ends on a boundary.
        int current = labels[observedFrames - 1], start = observedFrames;
        while (start < length && labels[start] == current) start++;
        (classes[0], durations[0]) = (current, (start - observedFrames) / (float)(length - observedFrames));
        int segments = 1;
        for (; start < length && segments < queries; segments++)
        {
            int end = start;
            while (end < length && labels[end] == labels[start]) end++;
            classes[segments] = labels[start];
            durations[segments] = (end - start) / (float)(length - observedFrames);
            start = end;
        }
        return new AnticipationExample(observed, classes, durations, segments);
    }

    /// <summary>
    /// Trains <paramref name="model"/> for the epochs after <paramref name="resume"/> (all when null). Each epoch's
    /// order, observations and noise come from the seed and the epoch number, so a resumed run continues as the
    /// uninterrupted one would. <paramref name="afterEpoch"/> sees the state to save for a later resume.
    /// </summary>
    public static ActionLlm Train(ActionLlm model, IReadOnlyList<LabelledVideo> videos, ActionLlmTrainingOptions options,
        IProgress<AnticipationProgress>? progress = null, AnticipationTrainingState? resume = null, Action<AnticipationTrainingState>? afterEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(videos);
        if (videos.Count == 0) throw new ArgumentException("ActionLLM training: no training videos.", nameof(videos));
        if (!(options.MinObserved > 0 && options.MinObserved <= options.MaxObserved && options.MaxObserved < 1))
            throw new ArgumentOutOfRangeException(nameof(options), $"ActionLLM training: observed fractions [{options.MinObserved}, {options.MaxObserved}] must satisfy 0 < min <= max < 1.");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), $"ActionLLM training: batch size {options.BatchSize} must be at least 1.");
        if (options.StopAfterEpochs is { } stop && (stop < 1 || stop > options.Epochs))
            throw new ArgumentOutOfRangeException(nameof(options), $"ActionLLM training: stopping after {stop} epochs, outside 1..{options.Epochs}.");
        var optimizer = Optimizer(model, options);
        int perEpoch = videos.Count * options.ObservationsPerVideo, batches = (perEpoch + options.BatchSize - 1) / options.BatchSize;
        int total = batches * options.Epochs, lastEpoch = options.LastEpoch;
        int step = 0, firstEpoch = 1;
        if (resume is not null)
        {
            if (resume.EpochsDone > options.Epochs)
                throw new ArgumentException($"ActionLLM training: the checkpoint has {resume.EpochsDone} epochs done, more than the {options.Epochs} asked for.", nameof(resume));
            optimizer.LoadState(resume.Optimizer, resume.EpochsDone * batches);
            (step, firstEpoch) = (resume.EpochsDone * batches, resume.EpochsDone + 1);
        }
        model.Durations = options.DurationPrior ? ActionDurations.Count(videos.Select(v => v.Labels), model.Actions.Count) : null;
        model.Transitions = options.TransitionPrior ? ActionTransitions.Count(videos.Select(v => v.Labels), model.Actions) : null;
        var schedule = new LearningRateSchedule(options.LearningRate, options.LearningRate / 20, Math.Max(1, total / 20), total);
        var features = model.Config.VisualFeatures == 0 ? null : videos.Select(v => StepFeatures(model, v, options.StepsPerVideo)).ToArray();
        var clock = Stopwatch.StartNew();
        int examplesHere = 0;
        for (int epoch = firstEpoch; epoch <= lastEpoch; epoch++)
        {
            model.Train();
            var rng = new Random(unchecked(options.Seed * 1_000_003 + epoch));
            foreach (var (chunk, examples) in EpochBatches(videos, options, model.Config.Queries, model.NoneClass, rng))
            {
                optimizer.LearningRate = schedule.At(step);
                float loss = Step(model, optimizer, examples, features is null ? null : [.. chunk.Select(v => features[v])], options, rng);
                step++;
                examplesHere += examples.Length;
                progress?.Report(new AnticipationProgress(epoch, lastEpoch, step, batches * lastEpoch, loss, examplesHere / clock.Elapsed.TotalSeconds));
            }
            afterEpoch?.Invoke(new AnticipationTrainingState(epoch, optimizer.State()));
        }
        model.Eval();
        return model;
    }

    /// <summary>
    /// One epoch's batches: each training video <see cref="ActionLlmTrainingOptions.ObservationsPerVideo"/> times, in an
    /// order shuffled by <paramref name="rng"/>, each observed up to a fraction drawn from [MinObserved, MaxObserved];
    /// per batch, the videos' indices and their examples. One at a time, each example is drawn as its step comes (the
    /// step's label noise draws from the same generator between them). In batches, the epoch's examples are drawn first
    /// and batched by observed length, the batches in random order: a batch is padded to its longest row, and batching
    /// examples of any length together padded about 40% more positions on 50 Salads.
    /// </summary>
    public static IEnumerable<(int[] Videos, AnticipationExample[] Examples)> EpochBatches(IReadOnlyList<LabelledVideo> videos, ActionLlmTrainingOptions options,
        int queries, int noneClass, Random rng)
    {
        var order = Enumerable.Range(0, videos.Count * options.ObservationsPerVideo).Select(i => i % videos.Count).ToArray();
        rng.Shuffle(order);
        AnticipationExample Draw(int v) =>
            Example(videos[v].Labels, options.MinObserved + rng.NextDouble() * (options.MaxObserved - options.MinObserved), options.StepsPerVideo, queries, noneClass);
        if (options.BatchSize == 1)
        {
            foreach (var v in order) yield return ([v], [Draw(v)]);
            yield break;
        }
        var drawn = order.Select(v => (Video: v, Example: Draw(v))).ToArray();
        var batches = drawn.OrderBy(d => d.Example.Observed.Length).Chunk(options.BatchSize).ToArray();
        rng.Shuffle(batches);
        foreach (var batch in batches) yield return ([.. batch.Select(d => d.Video)], [.. batch.Select(d => d.Example)]);
    }

    /// <summary>AdamW over the model's trainable parameters, biases and norms without weight decay.</summary>
    public static AdamW Optimizer(ActionLlm model, ActionLlmTrainingOptions options) =>
        new(model.TrainableParameters().ToList(), options.LearningRate, weightDecay: options.WeightDecay,
            noDecay: n => n.EndsWith("bias", StringComparison.Ordinal) || n.Contains("norm", StringComparison.Ordinal));

    /// <summary>
    /// One optimizer step on a batch of examples (and their features, for a visual model), in one forward: the loss (label
    /// noise drawn from <paramref name="rng"/>), backward, gradients clipped to norm 1, AdamW at its current learning rate.
    /// Returns the loss.
    /// </summary>
    public static float Step(ActionLlm model, AdamW optimizer, AnticipationExample[] examples, Tensor[]? features, ActionLlmTrainingOptions options, Random rng) =>
        TrainingStep.Run(optimizer, () => Loss(model, examples, features, options, rng));

    /// <summary>A video's visual features at every step's frame, (steps, Dv): frames 0, r, 2r, ..., where <see cref="Example"/> reads labels.</summary>
    static Tensor StepFeatures(ActionLlm model, LabelledVideo video, int stepsPerVideo)
    {
        int length = video.Labels.Length, dv = model.Config.VisualFeatures;
        if (video.FeaturesPath is null)
            throw new ArgumentException($"ActionLLM training: the model reads Dv = {dv} visual features per step but video '{video.Name}' has no feature file; " +
                "give every video features/<video>.npy or train label-only (VisualFeatures = 0).");
        var features = video.FeaturesAt(StepFrames(length, length, stepsPerVideo));
        if (features.Shape[1] != dv)
            throw new ArgumentException($"ActionLLM training: {video.FeaturesPath} has D = {features.Shape[1]} features per frame but the model reads Dv = {dv}.");
        return features;
    }

    /// <summary>The mean over the batch of each example's L_V + L_T + L_A + L_D, from one forward.</summary>
    static Tensor Loss(ActionLlm model, AnticipationExample[] examples, Tensor[]? features, ActionLlmTrainingOptions options, Random rng)
    {
        var noisy = examples.Select(example =>
        {
            var steps = (int[])example.Observed.Clone();
            for (int i = 0; i < steps.Length; i++)
                if (rng.NextDouble() < options.LabelNoise) steps[i] = rng.Next(model.Actions.Count);
            return steps;
        }).ToArray();
        var outputs = model.Forward(noisy, features?.Select((f, r) => f.Narrow(0, 0, noisy[r].Length)).ToArray());
        Tensor? total = null;
        for (int r = 0; r < examples.Length; r++)
        {
            var (example, output) = (examples[r], outputs[r]);
            var loss = Tensor.CrossEntropy(output.FutureLogits, example.FutureClasses);                              // L_A
            if (options.TextLoss) loss = loss + Tensor.CrossEntropy(output.PastLogits, example.Observed);             // L_T
            if (options.VisualLoss && output.VisualPastLogits is not null)                                            // L_V
                loss = loss + Tensor.CrossEntropy(output.VisualPastLogits, example.Observed);
            if (example.FutureSegments > 0)                                                                           // L_D
                loss = loss + options.DurationLossWeight * Tensor.MseLoss(output.Durations.Narrow(0, 0, example.FutureSegments),
                    Tensor.FromArray(example.FutureDurations[..example.FutureSegments], example.FutureSegments));
            total = total is null ? loss : total + loss;
        }
        return examples.Length == 1 ? total! : total! * (1f / examples.Length);
    }

    /// <summary>
    /// The protocol's anticipation function: the observed frames are sampled into steps, the queries are decoded in
    /// parallel until the first "None", and the segments are laid out frame by frame over the unobserved rest of the
    /// video (whose length the protocol gives), their durations normalized to fill it.
    /// </summary>
    public static FrameAnticipation Anticipation(ActionLlm model, int stepsPerVideo) => Anticipation([model], stepsPerVideo);

    /// <summary><see cref="Anticipation(ActionLlm, int)"/> by an ensemble (<see cref="ActionLlm.Anticipate(IReadOnlyList{ActionLlm}, int[], ActionInProgress, Tensor?)"/>).</summary>
    public static FrameAnticipation Anticipation(IReadOnlyList<ActionLlm> ensemble, int stepsPerVideo) =>
        (observed, futureFrames, length) => Anticipate(ensemble, stepsPerVideo, observed, null, futureFrames, length);

    /// <summary><see cref="Anticipation(ActionLlm, int)"/> for a model that reads visual features: those of the observed frames (D, O), sampled at the steps.</summary>
    public static VisualFrameAnticipation VisualAnticipation(ActionLlm model, int stepsPerVideo) => VisualAnticipation([model], stepsPerVideo);

    /// <summary><see cref="VisualAnticipation(ActionLlm, int)"/> by an ensemble.</summary>
    public static VisualFrameAnticipation VisualAnticipation(IReadOnlyList<ActionLlm> ensemble, int stepsPerVideo) =>
        (observed, features, futureFrames, length) => Anticipate(ensemble, stepsPerVideo, observed, features, futureFrames, length);

    static int[] Anticipate(IReadOnlyList<ActionLlm> ensemble, int stepsPerVideo, ReadOnlySpan<int> observed, Tensor? observedFeatures, int futureFrames, int length)
    {
        var stepFrames = StepFrames(observed.Length, length, stepsPerVideo);
        var steps = new int[stepFrames.Length];
        for (int i = 0; i < steps.Length; i++) steps[i] = observed[stepFrames[i]];
        var features = observedFeatures?.IndexSelect(1, stepFrames).Transpose(0, 1); // (S, Dv)
        var frames = new int[futureFrames];
        int filled = 0, last = observed[^1], rest = length - observed.Length;
        var current = new ActionInProgress(last, AnticipationProtocol.CurrentRun(observed) / (double)length, rest / (double)length);
        double end = 0;
        foreach (var segment in ActionLlm.Anticipate(ensemble, steps, current, features))
        {
            end += segment.Share * rest;
            for (; filled < Math.Min(futureFrames, (int)Math.Round(end)); filled++) frames[filled] = segment.Action;
            last = segment.Action;
        }
        for (; filled < futureFrames; filled++) frames[filled] = last;
        return frames;
    }
}
