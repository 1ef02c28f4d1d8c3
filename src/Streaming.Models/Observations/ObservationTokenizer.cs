using System.Globalization;
using Streaming.Models.Language;
using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Observations;

/// <summary>
/// Turns a window of frames into discrete tokens a language model reads in place of words: LLM-AR's action sentences
/// (<see cref="ActionSentences.ActionSentenceTokenizer"/>, T/4 tokens) or VTEM's event tokens (M salient segments). Each
/// code is a vector of the model's width, which the recognizer takes as the starting embedding of a new token of the
/// model's vocabulary.
/// </summary>
public abstract class ObservationTokenizer : Module
{
    /// <summary>The name a model folder records ("action-sentences", "event-tokens").</summary>
    public abstract string Kind { get; }

    /// <summary>Values per frame the tokenizer reads.</summary>
    public abstract int Inputs { get; }

    /// <summary>The codebook's size.</summary>
    public abstract int Codes { get; }

    /// <summary>The width of a code vector: the language model's hidden size.</summary>
    public abstract int Width { get; }

    /// <summary>How many tokens a window of <paramref name="frames"/> frames becomes; a window it cannot take is an error saying why.</summary>
    public abstract int TokensFor(int frames);

    /// <summary>(B, T, <see cref="Inputs"/>) frames -> B * TokensFor(T) code ids, row-major.</summary>
    public abstract int[] EncodeBatch(Tensor frames);

    /// <summary>The code vectors of <paramref name="ids"/>, (N, <see cref="Width"/>).</summary>
    public abstract Tensor Embeddings(int[] ids);

    /// <summary>Writes the tokenizer's files into a model folder.</summary>
    public abstract void Save(string folder);

    /// <summary>
    /// Throws naming the first value of <paramref name="frames"/> (B, T, <see cref="Inputs"/>) that is not finite, by its
    /// <paramref name="row"/> ("window", "sequence"), frame and index.
    /// </summary>
    protected void CheckFinite(Tensor frames, string row)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var values = frames.Contiguous().Span;
        int perRow = frames.Shape[1] * Inputs;
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"{Kind.Replace('-', ' ')}: {row} {i / perRow}, frame {i % perRow / Inputs}, value {i % Inputs} is {values[i].ToString(CultureInfo.InvariantCulture)}; frames must be finite.", nameof(frames));
    }

    /// <summary>Throws unless codes can stand in for <paramref name="lm"/>'s tokens: the code width is its hidden size.</summary>
    public void CheckLanguageModel(LlamaConfig lm)
    {
        ArgumentNullException.ThrowIfNull(lm);
        if (lm.HiddenSize != Width)
            throw new ArgumentException($"{Kind}: the codebook width is {Width} but the language model's hidden_size is {lm.HiddenSize}; build the tokenizer for this language model.", nameof(lm));
    }
}
