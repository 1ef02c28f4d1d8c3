using Streaming.Models.Datasets;
using Streaming.Models.Recognition;

namespace Streaming.Models.Tests.Datasets;

public class SkeletonCorpusTests
{
    [Fact]
    public void Documents_All_HoldEachDatasetsInstructionAndEveryAnswer()
    {
        var documents = SkeletonCorpus.Documents(SharedData.Root, CorpusParts.All);
        foreach (var dataset in SkeletonCorpus.Datasets)
        {
            var labels = SkeletonCorpus.Labels(SharedData.Root, dataset);
            var instruction = ActionInstruction.For(labels);
            foreach (var label in labels)
            {
                Assert.Contains(instruction + "\nAnswer: " + ActionCorpus.Phrase(label), documents);
                Assert.Contains(documents, d => d.Contains(ActionCorpus.Phrase(label) + ": " + SkeletonActionDescriptions.Of(label), StringComparison.Ordinal));
            }
            Assert.Contains(string.Join('\n', labels.Select(ActionCorpus.Phrase)), documents);
        }
        Assert.Equal(2 * 2 + 20 + 10, documents.Count);      // names and descriptions per dataset, an instruction per action
    }

    [Fact]
    public void Documents_OnlyThePartsAsked()
    {
        string[] labels = ["walk", "sit_down"];
        Assert.Empty(SkeletonCorpus.Documents(labels, CorpusParts.Sequences));
        Assert.Equal(["walk\nsit down"], SkeletonCorpus.Documents(labels, CorpusParts.Names));
        Assert.Equal(["walk: the person walks across the room.\nsit down: the person lowers the body and sits down on a chair."],
            SkeletonCorpus.Documents(labels, CorpusParts.Descriptions));
        Assert.Equal(
        [
            "Given a sequence of action tokens, please predict the corresponding action from: walk, sit down.\nAnswer: walk",
            "Given a sequence of action tokens, please predict the corresponding action from: walk, sit down.\nAnswer: sit down",
        ], SkeletonCorpus.Documents(labels, CorpusParts.Instructions));
    }

    [Fact]
    public void Labels_NotASkeletonDataset_Throws() =>
        Assert.Contains("'50salads' is not a skeleton dataset", Assert.Throws<ArgumentException>(() => SkeletonCorpus.Labels(SharedData.Root, "50salads")).Message, StringComparison.Ordinal);
}
