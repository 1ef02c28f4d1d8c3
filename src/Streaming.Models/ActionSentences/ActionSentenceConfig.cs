using Streaming.Models.Language;

namespace Streaming.Models.ActionSentences;

/// <summary>Where the codebook lives: the Poincare ball (the method), or flat Euclidean space (its ablation).</summary>
public enum CodebookGeometry { Poincare, Euclidean }

/// <summary>
/// Shapes and loss weights of <see cref="ActionSentenceTokenizer"/>, LLM-AR's VQ-VAE (DESIGN.md §1 method 3). Defaults
/// are the paper's where it gives them (U = 512, c = 1, 0.02 commitment, 0.2 L_human, Zipf alpha 1 and beta 2.7) and
/// CPU-sized elsewhere.
/// </summary>
public sealed record ActionSentenceConfig
{
    /// <summary>Frames are downsampled by this in time: two stride-2 convolutions, so W = T / 4 codes per sequence.</summary>
    public const int Downsampling = 4;

    public required int Inputs { get; init; }               // floats per frame: joints x coordinates, in any layout
    public int Width { get; init; } = 128;                  // code width D = the language model's hidden_size
    public int Hidden { get; init; } = 128;                 // channels of the convolutions (64 kept 52% of MSR test clips 1-NN-recognizable after decoding, 128 kept 59%)
    public int Codes { get; init; } = 512;                  // U; even, since code u is paired with u + U/2
    public float Curvature { get; init; } = 1f;             // c of the Poincare ball
    public float CommitmentWeight { get; init; } = 0.02f;
    public float HumanWeight { get; init; } = 0.2f;         // weight of L_human = Zipf + context + MMD
    public float ZipfAlpha { get; init; } = 1f;
    public float ZipfBeta { get; init; } = 2.7f;
    public float GumbelTau { get; init; } = 1f;             // temperature of the soft code counts
    public float MmdBandwidth { get; init; } = 1f;
    public CodebookGeometry Geometry { get; init; } = CodebookGeometry.Poincare;
    public float ZipfWeight { get; init; } = 1f;            // each term of L_human, 0 to ablate it
    public float ContextWeight { get; init; } = 1f;
    public float MmdWeight { get; init; } = 1f;          // sigma; about the median distance (1.08) between samples/lm's token embeddings

    /// <summary>A config whose code width is <paramref name="lm"/>'s hidden size, so codes can stand in for its tokens.</summary>
    public static ActionSentenceConfig ForLanguageModel(LlamaConfig lm, int inputs) => new() { Inputs = inputs, Width = lm.HiddenSize };

    public void Validate()
    {
        Positive(Inputs, "inputs (joints x coordinates per frame)");
        Positive(Width, "width (the language model's hidden size)");
        Positive(Hidden, "hidden channels");
        if (Codes < 2 || Codes % 2 != 0) throw new ArgumentException($"action sentences: {Codes} codes; need an even number of at least 2 (code u is paired with u + U/2).");
        Positive(Curvature, "curvature");
        Positive(GumbelTau, "Gumbel temperature");
        Positive(MmdBandwidth, "MMD bandwidth");
        Positive(ZipfAlpha, "Zipf alpha");
        if (!(ZipfBeta > -1f)) throw new ArgumentException($"action sentences: Zipf beta {ZipfBeta} must be above -1 (rank 1 + beta > 0).");
        if (!(ZipfWeight >= 0f) || !(ContextWeight >= 0f) || !(MmdWeight >= 0f))
            throw new ArgumentException($"action sentences: the L_human term weights must be non-negative (Zipf {ZipfWeight}, context {ContextWeight}, MMD {MmdWeight}).");
        if (!(CommitmentWeight >= 0f) || !(HumanWeight >= 0f)) throw new ArgumentException($"action sentences: loss weights must be non-negative (commitment {CommitmentWeight}, human {HumanWeight}).");
    }

    static void Positive(float value, string what)
    {
        if (!(value > 0f) || !float.IsFinite(value)) throw new ArgumentException($"action sentences: {what} is {value}; it must be positive.");
    }
}
