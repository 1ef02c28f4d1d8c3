using System.Globalization;
using Streaming.Models.Language;
using Streaming.Tensors;
using Streaming.Tensors.IO;
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

    /// <summary>Writes every parameter, float32, into <paramref name="file"/> of <paramref name="folder"/> (created if missing), tagged with <paramref name="format"/>.</summary>
    protected void SaveWeights(string folder, string file, string format)
    {
        Directory.CreateDirectory(folder);
        SafeTensorsWriter.Write(Path.Combine(folder, file), State(), new Dictionary<string, string> { ["format"] = format });
    }

    /// <summary>The tensors of <paramref name="file"/> in <paramref name="folder"/>; a missing file is an error naming it.</summary>
    protected static Dictionary<string, Tensor> ReadWeights(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        if (!File.Exists(path)) throw new FileNotFoundException($"{Path.GetFullPath(folder)}: {file} is missing.", path);
        return SafeTensorsFile.Load(path);
    }

    /// <summary>The codebook parameter, (<see cref="Codes"/>, <see cref="Width"/>), in the space <see cref="CodebookSpaceEncodings"/> writes.</summary>
    protected abstract Tensor CodebookParameter { get; }

    /// <summary>The encoder's outputs for <paramref name="frames"/> in the codebook parameter's space, (N, <see cref="Width"/>).</summary>
    protected abstract Tensor CodebookSpaceEncodings(Tensor frames);

    /// <summary>Throws unless <paramref name="frames"/> is a batch this tokenizer can encode, saying why.</summary>
    protected abstract void CheckFrames(Tensor frames);

    /// <summary>
    /// Moves every code that <paramref name="used"/> marks unused onto the encoding of a random position of
    /// <paramref name="frames"/>, as VQ-VAE practice restarts dead codes (Dhariwal et al. 2020, Jukebox): a code no
    /// encoding is nearest to gets no gradient from the codebook loss and would stay dead. Returns how many moved.
    /// </summary>
    public int RestartUnusedCodes(Tensor frames, bool[] used, Random rng)
    {
        CheckFrames(frames);
        ArgumentNullException.ThrowIfNull(used);
        ArgumentNullException.ThrowIfNull(rng);
        if (used.Length != Codes) throw new ArgumentException($"{Name}: usage of {used.Length} codes for a codebook of {Codes}.", nameof(used));
        using var _ = GradMode.Disable();
        var encodings = CodebookSpaceEncodings(frames).Contiguous();         // (N, D)
        int N = encodings.Shape[0], D = Width, moved = 0;
        var codebook = CodebookParameter.Span;
        for (int u = 0; u < Codes; u++)
        {
            if (used[u]) continue;
            encodings.Span.Slice(rng.Next(N) * D, D).CopyTo(codebook.Slice(u * D, D));
            moved++;
        }
        return moved;
    }

    /// <summary>Throws naming the first of <paramref name="ids"/> outside the codebook.</summary>
    protected void CheckCodeIds(int[] ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
            if ((uint)id >= (uint)Codes) throw new ArgumentOutOfRangeException(nameof(ids), $"{Name}: code id {id} is outside [0, {Codes}).");
    }

    /// <summary>The kind as messages say it ("action sentences", "event tokens").</summary>
    string Name => Kind.Replace('-', ' ');

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
                throw new ArgumentException($"{Name}: {row} {i / perRow}, frame {i % perRow / Inputs}, value {i % Inputs} is {values[i].ToString(CultureInfo.InvariantCulture)}; frames must be finite.", nameof(frames));
    }

    /// <summary>Throws unless codes can stand in for <paramref name="lm"/>'s tokens: the code width is its hidden size.</summary>
    public void CheckLanguageModel(LlamaConfig lm)
    {
        ArgumentNullException.ThrowIfNull(lm);
        if (lm.HiddenSize != Width)
            throw new ArgumentException($"{Kind}: the codebook width is {Width} but the language model's hidden_size is {lm.HiddenSize}; build the tokenizer for this language model.", nameof(lm));
    }
}
