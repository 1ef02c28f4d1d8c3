using Streaming.Models.Skeletons;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// The skeleton layouts a model trained on one layout serves: its own, and those whose frames the canonical skeleton
/// writes in its order (<see cref="SkeletonRetargeting"/>: ntu25 for a kinect20 model). Windows of any other layout are
/// refused as <c>unserved-layout</c>.
/// </summary>
static class ServedLayouts
{
    /// <summary>The layout named <paramref name="name"/> with <paramref name="joints"/> joints, which a model says it was trained on.</summary>
    public static SkeletonLayout Of(string modelKind, string name, int joints)
    {
        if (!SkeletonLayout.TryFind(name, out var layout))
            throw new ArgumentException($"{modelKind}: trained on layout '{name}', which is unknown; known layouts: {string.Join(", ", SkeletonLayout.All.Select(l => l.Name))}.", nameof(name));
        if (layout.JointCount != joints)
            throw new ArgumentException($"{modelKind}: trained on {joints} joints, but layout {name} has {layout.JointCount}.", nameof(joints));
        return layout;
    }

    /// <summary>Why a model trained on <paramref name="model"/> cannot serve <paramref name="window"/>, or null when it can.</summary>
    public static Rejection? Refusal(string modelId, SkeletonLayout model, Observation window)
    {
        foreach (var layout in window.Frames.Select(f => f.Layout).Distinct())
        {
            var why = SkeletonRetargeting.Refusal(layout.Mapping, model.Mapping);
            if (why is not null)
                return new Rejection(RejectionReason.UnservedLayout,
                    $"model {modelId} serves {string.Join(" and ", Served(model))} skeletons (trained on {model.Name}); stream {window.Stream} window {window.WindowId} sends {layout.Name}: {why}.");
        }
        return null;
    }

    static IEnumerable<string> Served(SkeletonLayout model) =>
        SkeletonLayout.All.Where(l => SkeletonRetargeting.Refusal(l.Mapping, model.Mapping) is null).Select(l => l.Name);
}
