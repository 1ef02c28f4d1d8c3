namespace Streaming.Tensors.Optim;

/// <summary>Linear warm-up then cosine decay, as in nanoGPT's get_lr.</summary>
public sealed record LearningRateSchedule(float MaxLearningRate, float MinLearningRate, int WarmupSteps, int TotalSteps)
{
    public float At(int step)
    {
        // 1) linear warm-up
        if (step < WarmupSteps) return MaxLearningRate * (step + 1) / WarmupSteps;
        // 2) past the end: the floor
        if (step >= TotalSteps) return MinLearningRate;
        // 3) cosine from max down to min
        float progress = (float)(step - WarmupSteps) / Math.Max(TotalSteps - WarmupSteps, 1);
        float coefficient = 0.5f * (1f + MathF.Cos(MathF.PI * progress));
        return MinLearningRate + coefficient * (MaxLearningRate - MinLearningRate);
    }
}
