using Streaming.Models.Adapters;

namespace Streaming.Models.LlmAr;

/// <summary>How the recognizer turns the language model's output into class probabilities.</summary>
public enum LlmArReadout
{
    /// <summary>A linear head on the last hidden state of the prompt: one forward of the prompt per window.</summary>
    ClassHead,

    /// <summary>The log-likelihood of each label's tokens after the prompt, softmaxed over the label set: one row per label.</summary>
    LabelLikelihood,
}

/// <summary>What turns a clip into the tokens the language model reads.</summary>
public enum LlmArTokenizer
{
    /// <summary>LLM-AR's action sentences: a VQ-VAE with a hyperbolic codebook, T/4 tokens per clip.</summary>
    ActionSentences,

    /// <summary>VTEM's event tokens: M saliency-pooled segments per clip, each quantized to one of K codes.</summary>
    EventTokens,
}

/// <summary>What adapts the frozen language model to the task.</summary>
public enum LlmArAdapter
{
    /// <summary>Low-rank updates of the attention and MLP projections (LLM-AR's adapter).</summary>
    Lora,

    /// <summary>P-Tuning v2: learned key/value prompts at every layer, the model's weights untouched (VT-LVLM-AR's adapter).</summary>
    PTuningV2,

    /// <summary>None: the frozen model reads the tokens through their trained embeddings only (an ablation).</summary>
    None,
}

/// <summary>What a live window gives the recognizer: the window's own frames, or its stream's take so far (clips of one action each).</summary>
public enum LlmArSequence { Window, Take }

/// <summary>Shapes and adapter settings of <see cref="LlmArRecognizer"/> (DESIGN.md §1 method 3; defaults are the paper's where it gives them).</summary>
public sealed record LlmArConfig
{
    /// <summary>
    /// T: every clip is resampled to this many frames, which the tokenizer turns into T/4 action tokens. 64 (16 tokens)
    /// recognized 71.8% of MSR Action3D's cross-subject test clips where 32 (8 tokens) recognized 65.2%.
    /// </summary>
    public int Frames { get; init; } = 64;

    /// <summary>3: (x, y, z) from layouts with depth; 2: the image-plane projection, which every layout gives.</summary>
    public int Dimensions { get; init; } = 3;

    public LlmArTokenizer Tokenizer { get; init; } = LlmArTokenizer.ActionSentences;

    public LlmArAdapter Adapter { get; init; } = LlmArAdapter.Lora;

    /// <summary>
    /// L, P-Tuning v2's prompts at every layer: 32, where the method has 16, chosen on validation data (MSR Action3D's training
    /// subjects each held out in turn, VTEM + P-Tuning v2 at learning rate 2e-2: 72.9% of their 284 clips with 32, 68.0% with 16).
    /// </summary>
    public int PromptTokens { get; init; } = 32;

    public int LoraRank { get; init; } = 64;

    public float LoraAlpha { get; init; } = 16f;

    public LoraTargets LoraTargets { get; init; } = LoraTargets.All;

    public LlmArReadout Readout { get; init; } = LlmArReadout.ClassHead;

    public LlmArSequence Sequence { get; init; } = LlmArSequence.Window;

    /// <summary>The window length (skeleton frames) the model was trained on, which the service should window with; 0 for takes.</summary>
    public int WindowFrames { get; init; }

    public LoraConfig Lora => new() { Rank = LoraRank, Alpha = LoraAlpha, Targets = LoraTargets };

    public LlmArConfig Validate()
    {
        if (Frames < 2) throw new ArgumentException($"LLM-AR: {Frames} frames per clip; need at least 2.");
        if (Dimensions is not (2 or 3)) throw new ArgumentException($"LLM-AR: {Dimensions} dimensions; expected 3 (x, y, z) or 2 (x, y).");
        if (WindowFrames < 0 || (Sequence == LlmArSequence.Window && WindowFrames == 1))
            throw new ArgumentException($"LLM-AR: a window of {WindowFrames} frames; windows need at least 2 (0: not trained on windows).");
        if (Adapter == LlmArAdapter.Lora) Lora.Validate();
        if (Adapter == LlmArAdapter.PTuningV2 && PromptTokens <= 0) throw new ArgumentException($"LLM-AR: {PromptTokens} P-Tuning v2 prompts; need at least 1.");
        return this;
    }
}
