using Streaming.Pipeline.Inference;
using Streaming.Service.Configuration;

namespace Streaming.Service.ModelFolders;

/// <summary>The model the pipeline settings name: ActionLLM for action-label input, the skeleton model folder otherwise.</summary>
public static class ServiceModel
{
    public static IActionModel Load(PipelineSettings pipeline) => pipeline.Input == PipelineInput.ActionLabels
        ? AnticipatorFolder.Load(pipeline.Anticipator, TimeSpan.FromSeconds(pipeline.ActivitySeconds))
        : SkeletonModelFolder.Load(pipeline.Model, TimeSpan.FromSeconds(pipeline.HorizonSeconds));
}
