namespace Streaming.Tensors.Optim;

/// <summary>
/// One optimizer step as every training loop here takes it: the loss's forward, backward, the gradients clipped to a
/// joint norm, the optimizer's update. The forward and backward run on this thread's <see cref="Arena"/>, so the
/// megabytes of activations and gradients a step makes are the storage the next step reuses.
/// </summary>
public static class TrainingStep
{
    [ThreadStatic] static TensorArena? arena;
    [ThreadStatic] static bool freshArrays;

    /// <summary>
    /// The storage of this thread's steps, reused from one step to the next; set to null, steps allocate fresh arrays
    /// (what tests compare against).
    /// </summary>
    public static TensorArena? Arena
    {
        get => freshArrays ? null : arena ??= new TensorArena { PoisonReturned = TensorArena.PoisonByDefault };
        set => (arena, freshArrays) = (value, value is null);
    }

    /// <summary>
    /// Runs <paramref name="loss"/> (the forward), then backward, clips the gradients of the optimizer's parameters to
    /// <paramref name="maxGradientNorm"/> (null: not clipped) and updates them; returns the loss. Nothing <paramref name="loss"/> makes may be
    /// kept past the step: its storage goes back to the arena, and the parameters' gradients are cleared.
    /// </summary>
    public static float Run(AdamW optimizer, Func<Tensor> loss, float? maxGradientNorm = 1f)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        using var scope = Arena?.Scope() ?? default;
        var value = loss();
        optimizer.ZeroGrad();
        value.Backward();
        if (maxGradientNorm is { } norm) GradientClipping.ClipNorm(optimizer.Parameters, norm);
        optimizer.Step();
        float result = value.Item();
        optimizer.ZeroGrad();
        return result;
    }
}
