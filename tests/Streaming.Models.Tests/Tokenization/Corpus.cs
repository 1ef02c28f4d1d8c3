namespace Streaming.Models.Tests.Tokenization;

/// <summary>Texts that exercise the tokenizer pipeline: scripts, whitespace runs, digits, emoji, contractions, special tokens.</summary>
public static class Corpus
{
    public static readonly string[] Plain =
    [
        "",
        "Hello, world! How's it going? I'm fine; they'll see. We've done it, you're right, she'd go.",
        "DON'T SHOUT: I'M HERE, YOU'RE THERE, IT'S 'TIS rock'n'roll",
        "Héllo café naïve façade Ångström Œuvre señor Über",
        "Cafe\u0301 decomposed: e\u0301 a\u0308 n\u0303",
        "日本語のテキストと中文混合，汉字。カタカナ ひらがな 한국어 텍스트",
        "Привет, как дела? Ёжик в тумане.",
        "مرحبا بالعالم، كيف حالك؟",
        "नमस्ते दुनिया, यह एक परीक्षण है।",
        "a  b   c\t\td\n\ne \n \r\n  trailing   ",
        "   leading spaces",
        "\t",
        "\n\n\n",
        " ",
        "1234567890123456789 3.14159 1,000,000 007 ٣٤٥ 2024-01-31",
        "👋🏽 👨‍👩‍👧‍👦 ❤️ 🏳️‍🌈 😀abc 😀😀😀 🇯🇵 x😀y",
        "𝐀𝐁𝐂 𝒳 𠀀𠀁𠀂 abc𝐀 𝟘𝟙𝟚",
        "def f(x):\n    return x**2  # comment\n\n",
        "ABCdef123ghi___--==>> <b>bold</b> {\"json\": [1, 2]}",
        "cut_tomato place_tomato_into_bowl\nadd_salt",
        string.Concat(Enumerable.Repeat("supercalifragilistic", 40)),
    ];

    /// <summary>Text with each tokenizer's special tokens inside.</summary>
    public static readonly string[] WithSpecialTokens =
    [
        "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
        "end<|endoftext|>start <|endoftext|> <|endoftext|><|endoftext|>",
        "<s>Hello</s> <unk> world <s>",
        "<|begin_of_text|>Hi<|eot_id|> <|start_header_id|>user<|end_header_id|>",
    ];
}
