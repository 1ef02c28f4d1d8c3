namespace Streaming.Service.Hosting;

/// <summary>What <c>/readyz</c> reports: ready once the model is loaded and the consumer holds its partitions, until the drain begins.</summary>
public sealed class ServiceReadiness
{
    volatile string state = "loading the model";
    volatile bool ready;

    public bool IsReady => ready;

    /// <summary>Why the service is or is not ready, for the endpoint's body and the log.</summary>
    public string State => state;

    public void ModelLoaded() => state = "model loaded, waiting for partitions";

    public void PartitionsAssigned() => (state, ready) = ("ready", true);

    public void Draining() => (state, ready) = ("draining before stop", false);

    public void Failed(string reason) => (state, ready) = ("failed: " + reason, false);
}
