namespace Streaming.Models.Adapters;

/// <summary>LoRA hyperparameters, as PEFT's LoraConfig: update B A x * Alpha / Rank on each target projection.</summary>
public sealed record LoraConfig
{
    public int Rank { get; init; } = 8;                     // r

    public float Alpha { get; init; } = 16f;                // lora_alpha

    public float Dropout { get; init; }                     // lora_dropout, on the adapter's input only

    public LoraTargets Targets { get; init; } = LoraTargets.Q | LoraTargets.V;   // PEFT's default for LLaMA

    public float Scaling => Alpha / Rank;

    public LoraConfig Validate()
    {
        if (Rank <= 0) throw new ArgumentException($"LoraConfig: rank {Rank} must be positive.");
        if (!float.IsFinite(Alpha)) throw new ArgumentException($"LoraConfig: alpha {Alpha} must be finite.");
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ArgumentException($"LoraConfig: dropout {Dropout} must be in [0, 1).");
        if (Targets == LoraTargets.None || (Targets & ~LoraTargets.All) != 0)
            throw new ArgumentException($"LoraConfig: targets {Targets} must name at least one of q, k, v, o, gate, up, down.");
        return this;
    }
}
