using Streaming.Models.Language;

namespace Streaming.Models.EventTokens;

/// <summary>
/// Shapes and loss weights of <see cref="EventTokenizer"/>, VT-LVLM-AR's Video-to-Event Mapper: a window of frames becomes
/// M event tokens, one per salient segment of time. The loss weights are the method's (reconstruction 1, temperature 0.1)
/// and VQ-VAE's (commitment 0.25, van den Oord et al. 2017), except the contrast weight (below); the widths are CPU-sized.
/// </summary>
public sealed record EventTokenConfig
{
    public required int Inputs { get; init; }                   // F: floats per frame, joints x coordinates in any layout
    public int Hidden { get; init; } = 128;                     // H: channels of the encoder's convolutions and the decoder
    public int Width { get; init; } = 128;                      // D: code width = the language model's hidden_size
    public int Segments { get; init; } = 16;                    // M: event tokens per window; windows need at least M frames
    public int Codes { get; init; } = 512;                      // K
    public EventPooling Pooling { get; init; } = EventPooling.Adaptive;
    public float ReconstructionWeight { get; init; } = 1f;      // alpha
    // beta, of the InfoNCE between neighbouring segments. 0: chosen on validation (MSR Action3D, subject 9 held out of the
    // training subjects, VTEM + P-Tuning v2): 77.2% at 0, 64.9% at 0.05, 52.6% at the method's 0.5. Pulling neighbours
    // together makes consecutive tokens alike, and the language model reads their order.
    public float ContrastWeight { get; init; }
    public float Temperature { get; init; } = 0.1f;             // tau of the InfoNCE's cosine logits
    public float CommitmentWeight { get; init; } = 0.25f;

    /// <summary>A config whose code width is <paramref name="lm"/>'s hidden size, so codes can stand in for its tokens.</summary>
    public static EventTokenConfig ForLanguageModel(LlamaConfig lm, int inputs)
    {
        ArgumentNullException.ThrowIfNull(lm);
        return new() { Inputs = inputs, Width = lm.HiddenSize };
    }

    public void Validate()
    {
        Positive(Inputs, "inputs (values per frame)");
        Positive(Hidden, "hidden (channels)");
        Positive(Width, "width (the language model's hidden size)");
        // Each segment's positive in the contrastive term is the next one, so a window needs two.
        if (Segments < 2) throw new ArgumentException($"event tokens: segments (M) is {Segments}; need at least 2 (each segment's contrastive positive is the next one).");
        Positive(Codes, "codes (K)");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentException($"event tokens: pooling {(int)Pooling} is neither {EventPooling.Adaptive} nor {EventPooling.Uniform}.");
        NonNegative(ReconstructionWeight, "reconstruction weight (alpha)");
        NonNegative(ContrastWeight, "contrast weight (beta)");
        Positive(Temperature, "temperature (tau)");
        NonNegative(CommitmentWeight, "commitment weight");
    }

    static void Positive(float value, string what)
    {
        if (!(value > 0f) || !float.IsFinite(value)) throw new ArgumentException($"event tokens: {what} is {value}; it must be positive.");
    }

    static void NonNegative(float value, string what)
    {
        if (!(value >= 0f) || !float.IsFinite(value)) throw new ArgumentException($"event tokens: {what} is {value}; it must be finite and non-negative.");
    }
}
