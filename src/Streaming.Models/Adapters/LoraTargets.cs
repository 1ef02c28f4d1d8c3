namespace Streaming.Models.Adapters;

/// <summary>The projections of a decoder layer that LoRA can adapt, named in PEFT's target_modules as q_proj, ..., down_proj.</summary>
[Flags]
public enum LoraTargets
{
    None = 0,
    Q = 1,
    K = 2,
    V = 4,
    O = 8,
    Gate = 16,
    Up = 32,
    Down = 64,
    Attention = Q | K | V | O,
    Mlp = Gate | Up | Down,
    All = Attention | Mlp,
}

/// <summary>Checkpoint spellings of <see cref="LoraTargets"/>.</summary>
public static class LoraTargetNames
{
    /// <summary>The single projections in layer order.</summary>
    public static readonly IReadOnlyList<LoraTargets> Each =
        [LoraTargets.Q, LoraTargets.K, LoraTargets.V, LoraTargets.O, LoraTargets.Gate, LoraTargets.Up, LoraTargets.Down];

    /// <summary>"q_proj", ..., "down_proj".</summary>
    public static string ModuleName(LoraTargets target) => target switch
    {
        LoraTargets.Q => "q_proj",
        LoraTargets.K => "k_proj",
        LoraTargets.V => "v_proj",
        LoraTargets.O => "o_proj",
        LoraTargets.Gate => "gate_proj",
        LoraTargets.Up => "up_proj",
        LoraTargets.Down => "down_proj",
        _ => throw new ArgumentException($"LoRA: {target} is not a single projection.", nameof(target)),
    };

    /// <summary>"self_attn" or "mlp": the block that holds the projection.</summary>
    public static string Block(LoraTargets target) => (target & LoraTargets.Attention) != 0 ? "self_attn" : "mlp";

    /// <summary>Parses a module name ("q_proj"); throws listing the valid names.</summary>
    public static LoraTargets Parse(string moduleName) =>
        Each.FirstOrDefault(t => ModuleName(t) == moduleName) is var t && t != LoraTargets.None
            ? t
            : throw new ArgumentException($"LoRA: unknown target module '{moduleName}'; expected one of {string.Join(", ", Each.Select(ModuleName))}.", nameof(moduleName));
}
