using Streaming.Tensors;

namespace Streaming.Models.Anticipation;

/// <summary>
/// Early stopping chosen on validation videos: a model is scored after some epochs, the weights of its best score are
/// kept (its trainable parameters; the frozen base model does not change), and <see cref="Restore"/> puts them back
/// when training ends. The epoch count is then a choice made on validation, not on the test videos.
/// </summary>
public sealed class ValidationStopping(ActionLlm model)
{
    readonly List<(int Epoch, double Score)> scores = [];
    Dictionary<string, Tensor>? best;

    /// <summary>Every score so far, in epoch order.</summary>
    public IReadOnlyList<(int Epoch, double Score)> Scores => scores;

    /// <summary>The epoch whose weights are kept (0 before any score).</summary>
    public int BestEpoch { get; private set; }

    public double BestScore { get; private set; } = double.NegativeInfinity;

    /// <summary>Records the score after <paramref name="epoch"/>; a better one than any before (ties keep the earlier) copies the weights.</summary>
    public void Observe(int epoch, double score)
    {
        scores.Add((epoch, score));
        if (!(score > BestScore)) return;
        (BestEpoch, BestScore) = (epoch, score);
        best = model.TrainableParameters().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    /// <summary>Puts the best epoch's weights back into the model.</summary>
    public void Restore()
    {
        if (best is null) throw new InvalidOperationException("validation stopping: no epoch was scored.");
        model.LoadState(best, strict: false);
    }
}
