namespace Streaming.Models.Tokenization.Normalizers;

/// <summary>The first stage of the pipeline: rewrites the text (Unicode forms, replacements) before it is split.</summary>
public abstract class Normalizer
{
    public abstract string Normalize(string text);

    internal static Normalizer? Parse(JsonSection json)
    {
        if (json.IsNull) return null;
        var type = json.Type();
        return type switch
        {
            "Sequence" => new NormalizerSequence(json.Required("normalizers").Items().Select(n => Parse(n) ?? throw n.Error("a null normalizer inside a Sequence")).ToArray()),
            "Prepend" => new PrependNormalizer(json.String("prepend")),
            "Replace" => new ReplaceNormalizer(TextPattern.Parse(json.Required("pattern")), json.StringOr("content", "")),
            "NFC" => new UnicodeNormalizer(System.Text.NormalizationForm.FormC),
            "NFD" => new UnicodeNormalizer(System.Text.NormalizationForm.FormD),
            "NFKC" => new UnicodeNormalizer(System.Text.NormalizationForm.FormKC),
            "NFKD" => new UnicodeNormalizer(System.Text.NormalizationForm.FormKD),
            "Lowercase" => new LowercaseNormalizer(),
            _ => throw json.Unsupported("normalizer", type, "Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase"),
        };
    }
}
