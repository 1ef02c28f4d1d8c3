using Streaming.Models.Recognition;

namespace Streaming.Models.Datasets;

/// <summary>
/// Text about the skeleton datasets' actions for the base model's corpus, so that its tokenizer and weights know the words
/// of LLM-AR's prompts: per dataset, its action names (one document), their descriptions (one document) and, per action,
/// the <see cref="ActionInstruction"/> line listing the dataset's actions followed by that action's answer.
/// </summary>
public static class SkeletonCorpus
{
    /// <summary>The skeleton datasets under the shared data folder whose actions the corpus holds.</summary>
    public static IReadOnlyList<string> Datasets { get; } = ["msr-action3d", "utkinect-action3d"];

    /// <summary>A skeleton dataset's action names in id order, as its derived/action_names.txt spells them.</summary>
    public static IReadOnlyList<string> Labels(string data, string dataset)
    {
        ArgumentNullException.ThrowIfNull(data);
        var root = Path.Combine(data, dataset);
        return dataset switch
        {
            "msr-action3d" => MsrAction3D.ActionNames(root),
            "utkinect-action3d" => UtKinect.ActionNames(root),
            _ => throw new ArgumentException($"'{dataset}' is not a skeleton dataset; expected one of {string.Join(", ", Datasets)}.", nameof(dataset)),
        };
    }

    /// <summary>The <paramref name="parts"/> (names, descriptions, instructions; sequences are not skeleton text) for every skeleton dataset.</summary>
    public static IReadOnlyList<string> Documents(string data, CorpusParts parts) =>
        [.. Datasets.SelectMany(d => Documents(Labels(data, d), parts))];

    /// <summary>The <paramref name="parts"/> for one dataset's <paramref name="labels"/>, in id order.</summary>
    public static IReadOnlyList<string> Documents(IReadOnlyList<string> labels, CorpusParts parts)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var documents = new List<string>();
        if (parts.HasFlag(CorpusParts.Names))
            documents.Add(string.Join('\n', labels.Select(ActionCorpus.Phrase)));
        if (parts.HasFlag(CorpusParts.Descriptions))
            documents.Add(string.Join('\n', labels.Select(l => $"{ActionCorpus.Phrase(l)}: {SkeletonActionDescriptions.Of(l)}")));
        if (parts.HasFlag(CorpusParts.Instructions))
        {
            var instruction = ActionInstruction.For(labels);
            documents.AddRange(labels.Select(l => instruction + "\n" + ActionInstruction.Answer(l)));
        }
        return documents;
    }
}
