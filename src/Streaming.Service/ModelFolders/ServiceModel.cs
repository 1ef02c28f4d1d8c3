using Streaming.Pipeline.Inference;
using Streaming.Service.Configuration;

namespace Streaming.Service.ModelFolders;

/// <summary>
/// The model the pipeline settings name: ActionLLM for action-label input; the skeleton model folder otherwise, its future
/// from the ActionLLM checkpoint of Pipeline:Anticipator when one is set (it must know the recognizer's actions).
/// </summary>
public static class ServiceModel
{
    public static IActionModel Load(PipelineSettings pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var activity = TimeSpan.FromSeconds(pipeline.ActivitySeconds);
        if (pipeline.Input == PipelineInput.ActionLabels) return AnticipatorFolder.Load(pipeline.Anticipator, activity);
        var recognizer = SkeletonModelFolder.Load(pipeline.Model, TimeSpan.FromSeconds(pipeline.HorizonSeconds));
        if (string.IsNullOrWhiteSpace(pipeline.Anticipator)) return recognizer;
        var anticipator = AnticipatorFolder.Load(pipeline.Anticipator, activity);
        return new ActionLlmFuture(recognizer, anticipator.Anticipator, anticipator.Id);
    }
}
