using Streaming.Models.Datasets;
using Streaming.Models.Recognition;

namespace Streaming.Models.Tests.Recognition;

public class SkeletonClassifierTrainingTests
{
    /// <summary>
    /// The engine learns something real: a 2-layer MLP on MSR Action3D, cross-subject (all 20 actions,
    /// 284 train / 273 test sequences), in a fixed budget of 40 epochs. Chance is 5%.
    /// </summary>
    [Fact]
    public void Mlp_CrossSubject_ReachesStatedAccuracy()
    {
        var samples = MsrAction3D.Load(SharedData.Path("msr-action3d"));
        var result = SkeletonClassifierTraining.Run(samples, new SkeletonTrainingOptions(Epochs: 40, Seed: 1));
        Assert.True(result.TrainAccuracy > 0.95, $"train accuracy {result.TrainAccuracy:P1}");
        Assert.True(result.TestAccuracy > 0.60, $"test accuracy {result.TestAccuracy:P1}");
    }
}
