using Streaming.Models.Anticipation;

namespace Streaming.Models.Tests.Anticipation;

/// <summary>A choice on validation keeps the default unless a candidate beats it by more than the noise across splits.</summary>
public sealed class ValidationChoiceTests
{
    [Fact]
    public void Choice_keeps_the_default_unless_the_best_beats_it_by_more_than_the_noise_across_splits()
    {
        string[] candidates = ["default", "steady", "lucky"];
        var scores = new Dictionary<string, double[]>
        {
            ["default"] = [30, 32, 31, 29, 33],
            ["steady"] = [31, 33, 32, 30, 34],           // +1 on every split: standard error 0
            ["lucky"] = [40, 26, 35, 24, 38],            // +1.6 on average, but +10 to -5 from split to split
        };
        var (chosen, best, advantage, error) = ValidationChoice.Choose(candidates, "default", c => scores[c]);
        Assert.Equal(("steady", "lucky", 1.0, 0.0), (chosen, best, Math.Round(advantage, 6), Math.Round(error, 6)));
        scores.Remove("steady");
        (chosen, best, advantage, error) = ValidationChoice.Choose(["default", "lucky"], "default", c => scores[c]);
        Assert.Equal(("default", "lucky"), (chosen, best));
        Assert.True(advantage > 0 && advantage < error, $"advantage {advantage}, standard error {error}");
        // One split gives no noise estimate: the best is taken.
        var (single, _, _, singleError) = ValidationChoice.Choose(["default", "lucky"], "default", c => scores[c][..1]);
        Assert.Equal("lucky", single);
        Assert.True(double.IsNaN(singleError));
        Assert.Throws<ArgumentException>(() => ValidationChoice.Choose(["lucky"], "default", c => scores[c]));
    }
}
