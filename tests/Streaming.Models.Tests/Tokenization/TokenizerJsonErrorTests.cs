using Streaming.Models.Tokenization;

namespace Streaming.Models.Tests.Tokenization;

/// <summary>Every malformed tokenizer.json gets a specific message naming the field.</summary>
public class TokenizerJsonErrorTests
{
    const string Model = """{"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}""";

    static string Json(string model = Model, string normalizer = "null", string preTokenizer = "null", string decoder = "null",
        string postProcessor = "null", string added = "[]") =>
        $$$"""{"added_tokens": {{{added}}}, "normalizer": {{{normalizer}}}, "pre_tokenizer": {{{preTokenizer}}}, "post_processor": {{{postProcessor}}}, "decoder": {{{decoder}}}, "model": {{{model}}}}""";

    static string ErrorOf(string json) => Assert.Throws<TokenizerFormatException>(() => Tokenizer.Parse(json)).Message;

    [Fact]
    public void Parse_Minimal_Encodes() => Assert.Equal([2, 0], Tokenizer.Parse(Json()).Encode("aba"));

    [Fact]
    public void Load_MissingFile_NamesPath()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-dir", "tokenizer.json");
        Assert.Contains(path, Assert.Throws<FileNotFoundException>(() => Tokenizer.Load(path)).Message);
    }

    [Fact]
    public void Load_FileWithBadField_NamesFileAndField()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, Json(model: """{"type": "BPE", "vocab": [], "merges": []}"""));
        try
        {
            var message = Assert.Throws<TokenizerFormatException>(() => Tokenizer.Load(path)).Message;
            Assert.Contains(path, message);
            Assert.Contains("$.model.vocab: expected an object, found array", message);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("{\"model\": ", "not valid JSON")]
    [InlineData("[1, 2]", "$: expected the tokenizer.json object")]
    [InlineData("{}", "$.model: required field is missing")]
    public void Parse_Malformed_SaysWhy(string json, string expected) => Assert.Contains(expected, ErrorOf(json));

    [Theory]
    [InlineData("""{"type": "WordPiece", "vocab": {}}""", "$.model: model type \"WordPiece\" is not supported (supported: BPE)")]
    [InlineData("""{"type": "BPE", "merges": []}""", "$.model.vocab: required field is missing")]
    [InlineData("""{"type": "BPE", "vocab": {"a": "zero"}, "merges": []}""", "$.model.vocab.a: expected an integer, found the string \"zero\"")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": ["a"]}""", "$.model.merges[0]: expected \"left right\"")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": [["a", "b", "c"]]}""", "$.model.merges[0]: expected a pair [left, right], found 3 items")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}""", "merge 0 (\"a\" \"b\"): \"b\" is not in the vocabulary")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}""", "the result \"ab\" is not in the vocabulary")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0, "b": 0}, "merges": []}""", "share the id 0")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": [], "unk_token": "<unk>"}""", "the unknown token \"<unk>\" is not in the vocabulary")]
    [InlineData("""{"type": "BPE", "vocab": {"a": 0}, "merges": [], "dropout": 0.1}""", "$.model.dropout: BPE dropout is not supported")]
    public void Parse_BadModel_NamesField(string model, string expected) => Assert.Contains(expected, ErrorOf(Json(model: model)));

    [Theory]
    [InlineData("normalizer", """{"type": "BertNormalizer"}""", "$.normalizer: normalizer type \"BertNormalizer\" is not supported")]
    [InlineData("normalizer", """{"type": "Sequence", "normalizers": [null]}""", "$.normalizer.normalizers[0]: a null normalizer inside a Sequence")]
    [InlineData("normalizer", """{"type": "Replace", "pattern": {"Glob": "*"}, "content": ""}""", "$.normalizer.pattern: expected {\"String\": ...} or {\"Regex\": ...}")]
    [InlineData("normalizer", """{"content": ""}""", "$.normalizer.type: required field is missing")]
    [InlineData("pre_tokenizer", """{"type": "Whitespace"}""", "$.pre_tokenizer: pre_tokenizer type \"Whitespace\" is not supported")]
    [InlineData("pre_tokenizer", """{"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"}""", "$.pre_tokenizer.pattern.Regex: regex \"(unclosed\" is not supported by .NET regular expressions")]
    [InlineData("pre_tokenizer", """{"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways"}""", "$.pre_tokenizer.behavior: split behavior \"Sideways\" is not one of")]
    [InlineData("pre_tokenizer", """{"type": "Metaspace", "prepend_scheme": "sometimes"}""", "$.pre_tokenizer.prepend_scheme: \"sometimes\" is not one of always, first, never")]
    [InlineData("pre_tokenizer", """{"type": "ByteLevel", "add_prefix_space": "yes"}""", "$.pre_tokenizer.add_prefix_space: expected true or false, found the string \"yes\"")]
    [InlineData("decoder", """{"type": "WordPiece"}""", "$.decoder: decoder type \"WordPiece\" is not supported")]
    [InlineData("decoder", """{"type": "Strip", "content": "ab", "start": 1, "stop": 0}""", "$.decoder.content: expected a single character")]
    [InlineData("post_processor", """{"type": "Bloom"}""", "$.post_processor: post_processor type \"Bloom\" is not supported")]
    [InlineData("post_processor", """{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {}}""", "$.post_processor.single[0].SpecialToken.id: \"<s>\" is not listed in special_tokens")]
    [InlineData("post_processor", """{"type": "TemplateProcessing", "single": [], "special_tokens": {}}""", "$.post_processor.single: the template must contain sequence A exactly once, found 0")]
    [InlineData("added_tokens", """[{"id": 5, "content": ""}]""", "$.added_tokens[0].content: an added token cannot be empty")]
    [InlineData("added_tokens", """[{"content": "<s>"}]""", "$.added_tokens[0].id: required field is missing")]
    [InlineData("added_tokens", """[{"id": 3, "content": "<s>"}, {"id": 3, "content": "</s>"}]""", "added tokens \"<s>\" and \"</s>\" share the id 3")]
    public void Parse_BadComponent_NamesTypeOrField(string component, string value, string expected)
    {
        var json = component switch
        {
            "normalizer" => Json(normalizer: value),
            "pre_tokenizer" => Json(preTokenizer: value),
            "decoder" => Json(decoder: value),
            "post_processor" => Json(postProcessor: value),
            _ => Json(added: value),
        };
        Assert.Contains(expected, ErrorOf(json));
    }

    [Fact]
    public void Decode_UnknownId_Throws()
    {
        var tokenizer = Tokenizer.Parse(Json());
        Assert.Contains("token id 7", Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([0, 7])).Message);
    }
}
