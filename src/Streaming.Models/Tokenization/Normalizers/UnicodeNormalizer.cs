using System.Text;

namespace Streaming.Models.Tokenization.Normalizers;

/// <summary>A Unicode normalization form (Qwen2/3 apply NFC so that "e" + U+0301 and "é" tokenize alike).</summary>
/// <remarks>
/// .NET delegates normalization to ICU. A process running with invariant globalization has no
/// ICU and leaves non-ASCII text unchanged without saying so; that would silently change token
/// ids, so the normalizer refuses to be built there.
/// </remarks>
public sealed class UnicodeNormalizer : Normalizer
{
    public NormalizationForm Form { get; }

    public UnicodeNormalizer(NormalizationForm form)
    {
        if (!IcuNormalizes())
            throw new PlatformNotSupportedException(
                $"Unicode normalization {form} needs ICU, but this process runs with invariant globalization " +
                "(<InvariantGlobalization>false</InvariantGlobalization> in the host project, or DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=0, with libicu installed).");
        Form = form;
    }

    public override string Normalize(string text) => text.Normalize(Form);

    static bool IcuNormalizes() => "e\u0301".Normalize(NormalizationForm.FormC) == "\u00E9";
}
