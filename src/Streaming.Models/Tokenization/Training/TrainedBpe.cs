using System.Text.Encodings.Web;
using System.Text.Json;

namespace Streaming.Models.Tokenization.Training;

/// <summary>
/// The outcome of <see cref="BpeTrainer"/>: the vocabulary in id order (special tokens first, then
/// the 256 byte symbols, then merged tokens) and the merges by rank. <see cref="ToJson"/> writes it
/// as a byte-level tokenizer.json that this reader and the Hugging Face implementations read alike.
/// </summary>
public sealed record TrainedBpe(IReadOnlyList<string> Vocabulary, IReadOnlyList<(string Left, string Right)> Merges, IReadOnlyList<string> SpecialTokens)
{
    public Tokenizer ToTokenizer() => Tokenizer.Parse(ToJson());

    public void Save(string path) => File.WriteAllText(path, ToJson());

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("version", "1.0");
            w.WriteNull("truncation");
            w.WriteNull("padding");
            w.WriteStartArray("added_tokens");
            for (var i = 0; i < SpecialTokens.Count; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("id", i);  // the trainer gives special tokens the first ids
                w.WriteString("content", SpecialTokens[i]);
                w.WriteBoolean("single_word", false);
                w.WriteBoolean("lstrip", false);
                w.WriteBoolean("rstrip", false);
                w.WriteBoolean("normalized", false);
                w.WriteBoolean("special", true);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNull("normalizer");
            WriteByteLevel(w, "pre_tokenizer", trimOffsets: true);
            WriteByteLevel(w, "post_processor", trimOffsets: false);
            WriteByteLevel(w, "decoder", trimOffsets: true);

            w.WriteStartObject("model");
            w.WriteString("type", "BPE");
            w.WriteNull("dropout");
            w.WriteNull("unk_token");
            w.WriteNull("continuing_subword_prefix");
            w.WriteNull("end_of_word_suffix");
            w.WriteBoolean("fuse_unk", false);
            w.WriteBoolean("byte_fallback", false);
            w.WriteBoolean("ignore_merges", false);
            w.WriteStartObject("vocab");
            for (var id = 0; id < Vocabulary.Count; id++) w.WriteNumber(Vocabulary[id], id);
            w.WriteEndObject();
            w.WriteStartArray("merges");
            foreach (var (left, right) in Merges)
            {
                w.WriteStartArray();
                w.WriteStringValue(left);
                w.WriteStringValue(right);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    static void WriteByteLevel(Utf8JsonWriter w, string name, bool trimOffsets)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", false);
        w.WriteBoolean("trim_offsets", trimOffsets);
        w.WriteBoolean("use_regex", true);
        w.WriteEndObject();
    }
}
