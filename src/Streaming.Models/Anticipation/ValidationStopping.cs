using Streaming.Tensors;

namespace Streaming.Models.Anticipation;

/// <summary>
/// The epochs of one training run as validation sees them: after some epochs the model is scored and its weights are
/// kept (its trainable parameters, a few hundred kilobytes; the frozen base model does not change), so that the number
/// of epochs can be chosen afterwards, on the scores of every run together, and <see cref="Restore"/> puts that
/// epoch's weights back.
/// </summary>
public sealed class ValidationStopping(ActionLlm model)
{
    readonly SortedDictionary<int, (double Score, Dictionary<string, Tensor> Weights)> epochs = [];

    /// <summary>Every score so far, in epoch order.</summary>
    public IReadOnlyList<(int Epoch, double Score)> Scores => [.. epochs.Select(e => (e.Key, e.Value.Score))];

    /// <summary>The score after <paramref name="epoch"/>.</summary>
    public double ScoreAt(int epoch) => epochs.TryGetValue(epoch, out var e) ? e.Score
        : throw new ArgumentOutOfRangeException(nameof(epoch), $"validation: epoch {epoch} was not scored (scored: {string.Join(", ", epochs.Keys)}).");

    /// <summary>Records the score after <paramref name="epoch"/> and a copy of the weights it was scored with.</summary>
    public void Observe(int epoch, double score) =>
        epochs[epoch] = (score, model.TrainableParameters().ToDictionary(p => p.Name, p => p.Value.Clone()));

    /// <summary>Puts the weights of <paramref name="epoch"/> back into the model.</summary>
    public void Restore(int epoch)
    {
        if (!epochs.TryGetValue(epoch, out var e))
            throw new InvalidOperationException($"validation: epoch {epoch} was not scored (scored: {string.Join(", ", epochs.Keys)}).");
        model.LoadState(e.Weights, strict: false);
    }
}
