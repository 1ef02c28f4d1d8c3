using System.Reactive.Linq;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Features;

public static class SkeletonFeatureOperator
{
    /// <summary>
    /// The feature stage: describes each window's skeletons with <see cref="SkeletonFeatures"/> (body-centred,
    /// scale-normalised positions resampled to <paramref name="frames"/> steps, plus velocities), so windows
    /// of any frame count give the model a fixed-size input.
    /// </summary>
    public static IObservable<Observation> Featurize(this IObservable<Observation> source, int frames)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        return source.Select(o => o with { Features = Describe(o, frames) });
    }

    /// <summary>Features of one window; confidences are not part of them.</summary>
    public static float[] Describe(Observation observation, int frames)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var layout = observation.Frames[0].Layout;
        var positions = new float[observation.Frames.Count * layout.JointCount * 3];
        for (int t = 0; t < observation.Frames.Count; t++)
            for (int j = 0; j < layout.JointCount; j++)
            {
                var joint = observation.Frames[t].Joint(j);
                for (int c = 0; c < 3; c++) positions[(t * layout.JointCount + j) * 3 + c] = joint[c];
            }
        return SkeletonFeatures.Describe(new SkeletonSequence(positions, observation.Frames.Count, layout.JointCount), frames);
    }
}
