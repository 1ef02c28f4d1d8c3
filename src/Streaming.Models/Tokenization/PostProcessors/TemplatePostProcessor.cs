namespace Streaming.Models.Tokenization.PostProcessors;

/// <summary>
/// Wraps a single sequence in special tokens after a template such as
/// <c>&lt;s&gt; $A</c> (LLaMA) or <c>[CLS] $A [SEP]</c> (BERT). Each template item is either
/// the sequence itself or the ids of a special token.
/// </summary>
public sealed class TemplatePostProcessor : PostProcessor
{
    /// <summary>The template: null stands for the sequence, otherwise the ids to insert.</summary>
    readonly IReadOnlyList<int[]?> _single;

    public TemplatePostProcessor(IReadOnlyList<int[]?> single)
    {
        if (single.Count(item => item is null) != 1) throw new ArgumentException("the template must contain the sequence exactly once", nameof(single));
        _single = single;
    }

    public override List<int> Process(List<int> ids, bool addSpecialTokens)
    {
        if (!addSpecialTokens) return ids;
        var output = new List<int>(ids.Count + 4);
        foreach (var item in _single)
        {
            if (item is null) output.AddRange(ids);
            else output.AddRange(item);
        }
        return output;
    }

    internal static TemplatePostProcessor FromJson(JsonSection json)
    {
        var specials = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (name, special) in json.Required("special_tokens").Properties())
            specials[name] = special.Required("ids").Items().Select(id => id.Int()).ToArray();

        var single = new List<int[]?>();
        var sequences = 0;
        foreach (var item in json.Required("single").Items())
        {
            if (item.Has("Sequence"))
            {
                var id = item["Sequence"].String("id");
                if (id != "A") throw item["Sequence"]["id"].Error($"a single-sequence template can only hold sequence A, not {id}");
                single.Add(null);
                sequences++;
            }
            else if (item.Has("SpecialToken"))
            {
                var name = item["SpecialToken"].String("id");
                if (!specials.TryGetValue(name, out var ids)) throw item["SpecialToken"]["id"].Error($"\"{name}\" is not listed in special_tokens");
                single.Add(ids);
            }
            else throw item.Error("expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
        }
        if (sequences != 1) throw json["single"].Error($"the template must contain sequence A exactly once, found {sequences}");
        return new TemplatePostProcessor(single);
    }

    /// <summary>BERT/RoBERTa: <c>cls $A sep</c>, each given as ["token", id].</summary>
    internal static TemplatePostProcessor Bracketing(JsonSection json) =>
        new([[TokenId(json.Required("cls"))], null, [TokenId(json.Required("sep"))]]);

    static int TokenId(JsonSection pair)
    {
        var items = pair.Items().ToArray();
        if (items.Length != 2) throw pair.Error("expected [\"token\", id]");
        return items[1].Int();
    }
}
