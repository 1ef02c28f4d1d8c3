using System.Security.Cryptography;
using Streaming.Models.Anticipation;
using Streaming.Pipeline.Inference;

namespace Streaming.Service.ModelFolders;

/// <summary>An ActionLLM checkpoint folder written by <c>streaming train anticipator</c>, as the model of action-label input.</summary>
public static class AnticipatorFolder
{
    /// <summary>
    /// The model stage over ActionLLM with activities of <paramref name="activityLength"/>; the id names a hash of the
    /// checkpoint's weights, so outputs say which model made them. A missing folder says how to make one.
    /// </summary>
    public static ActionLlmActionModel Load(string folder, TimeSpan activityLength)
    {
        var weights = Path.Combine(folder, ActionLlmCheckpoint.WeightsFileName);
        if (!File.Exists(weights))
            throw new FileNotFoundException($"no ActionLLM checkpoint in {Path.GetFullPath(folder)} (no {ActionLlmCheckpoint.WeightsFileName}); " +
                $"create one with `streaming train anticipator --out {folder}` (about 40 s with --epochs 3 --lm-steps 100, a few minutes with the defaults).", weights);
        var trained = ActionLlmCheckpoint.Load(folder);
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weights)))[..8];
        return new ActionLlmActionModel(new ActionLlmAnticipator(trained, activityLength), $"actionllm@{hash}");
    }
}
