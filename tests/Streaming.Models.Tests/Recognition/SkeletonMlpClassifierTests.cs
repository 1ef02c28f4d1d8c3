using Streaming.Models.Datasets;
using Streaming.Models.Recognition;
using Streaming.Tensors.Tests.IO;

namespace Streaming.Models.Tests.Recognition;

public class SkeletonMlpClassifierTests
{
    static readonly IReadOnlyList<MsrAction3DSample> Samples = MsrAction3D.Load(SharedData.Path("msr-action3d"));

    static List<MsrAction3DSample> Test => Samples.Where(s => !MsrAction3D.IsTrainSubject(s.Subject)).ToList();

    /// <summary>
    /// The folder `train mlp --out` writes holds everything inference needs: reloaded, the MLP gives the very logits of the
    /// trained one, and, featurizing raw sequences itself, reproduces the accuracy training measured on its standardized matrix.
    /// </summary>
    [Fact]
    public void SavedMlp_Reloads_WithTheSameLogitsAndTheTrainingAccuracy()
    {
        var names = MsrAction3D.ActionNames(SharedData.Path("msr-action3d"));
        var result = SkeletonClassifierTraining.Run(Samples, new SkeletonTrainingOptions(Epochs: 4, Seed: 3), labels: names);
        using var folder = new TempDirectory();
        result.Classifier.Save(folder.Path);

        Assert.True(SkeletonMlpClassifier.IsFolder(folder.Path));
        var loaded = SkeletonMlpClassifier.Load(folder.Path);
        Assert.Equal(names, loaded.Labels);
        Assert.Equal(result.Classifier.Frames, loaded.Frames);
        var sequences = Test.Select(s => s.Skeletons).ToList();
        var expected = result.Classifier.Logits(sequences).ToArray();
        var actual = loaded.Logits(sequences).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected, actual);

        var probabilities = loaded.Probabilities(sequences);
        int right = Test.Select((s, i) => Array.IndexOf(probabilities[i], probabilities[i].Max()) == s.Action - 1).Count(r => r);
        Assert.Equal(result.TestAccuracy, (double)right / Test.Count, 12);
    }

    [Fact]
    public void Load_WithoutStandardization_Throws()
    {
        var result = SkeletonClassifierTraining.Run(Samples, new SkeletonTrainingOptions(Epochs: 1));
        using var folder = new TempDirectory();
        result.Classifier.Save(folder.Path);
        var weights = Tensors.IO.SafeTensorsFile.Load(folder.File(SkeletonMlpClassifier.WeightsFile));
        weights.Remove("feature_scale");
        Tensors.IO.SafeTensorsWriter.Write(folder.File(SkeletonMlpClassifier.WeightsFile), weights);

        var e = Assert.Throws<InvalidDataException>(() => SkeletonMlpClassifier.Load(folder.Path));
        Assert.Contains("feature_scale", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ActionNames_AreTheTwentyOfTheDataset_InIdOrder()
    {
        var names = MsrAction3D.ActionNames(SharedData.Path("msr-action3d"));
        Assert.Equal(20, names.Count);
        Assert.Equal("high arm wave", names[0]);
        Assert.Equal("pickup and throw", names[19]);
    }
}
