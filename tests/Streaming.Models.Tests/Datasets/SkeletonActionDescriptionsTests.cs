using Streaming.Models.Datasets;

namespace Streaming.Models.Tests.Datasets;

public class SkeletonActionDescriptionsTests
{
    /// <summary>Read from the data, so that a label renamed in derived/action_names.txt fails here, not in a corpus.</summary>
    [Theory]
    [InlineData("msr-action3d")]
    [InlineData("utkinect-action3d")]
    public void Of_EveryActionOfTheDataset_HasASentence(string dataset)
    {
        var labels = SkeletonCorpus.Labels(SharedData.Root, dataset);
        Assert.NotEmpty(labels);
        Assert.All(labels, label =>
        {
            var description = SkeletonActionDescriptions.Of(label);
            Assert.StartsWith("the person ", description, StringComparison.Ordinal);
            Assert.EndsWith(".", description, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Of_UnknownAction_NamesIt()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => SkeletonActionDescriptions.Of("sitDown"));
        Assert.Contains("'sitDown'", e.Message, StringComparison.Ordinal);
    }
}
