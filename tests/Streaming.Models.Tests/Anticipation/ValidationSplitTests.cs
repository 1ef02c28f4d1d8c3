using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;

namespace Streaming.Models.Tests.Anticipation;

public class ValidationSplitTests
{
    static LabelledVideo Video(string name) => new(name, [0, 0, 1], null);

    [Fact]
    public void One_video_in_five_of_each_activity_is_held_out()
    {
        var train = new[] { "cereals", "coffee" }
            .SelectMany(activity => Enumerable.Range(1, 10).Select(p => Video($"P{p:00}_cam01_P{p:00}_{activity}"))).ToList();
        var (fit, validation) = ValidationSplit.Carve(train, every: 5);
        Assert.Equal(4, validation.Count);
        Assert.Equal(2, validation.Count(v => v.Name.EndsWith("_cereals", StringComparison.Ordinal)));
        Assert.Equal(16, fit.Count);
        Assert.Empty(fit.Select(v => v.Name).Intersect(validation.Select(v => v.Name)));
    }

    [Fact]
    public void Names_without_an_activity_form_one_group_and_a_small_split_still_validates_on_one_video()
    {
        var (fit, validation) = ValidationSplit.Carve([.. Enumerable.Range(1, 40).Select(i => Video($"rgb-{i:00}-1"))], every: 5);
        Assert.Equal((32, 8), (fit.Count, validation.Count));
        (fit, validation) = ValidationSplit.Carve([Video("a"), Video("b"), Video("c")], every: 5);
        Assert.Equal(["c"], validation.Select(v => v.Name));
        Assert.Equal(2, fit.Count);
    }

    [Fact]
    public void Too_few_videos_or_a_bad_share_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ValidationSplit.Carve([Video("a")], every: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ValidationSplit.Carve([Video("a"), Video("b")], every: 1));
    }
}
