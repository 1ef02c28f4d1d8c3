namespace Streaming.Service.Configuration;

/// <summary>How the service runs as a process (section <c>Service</c>): its stop bound and its health endpoints.</summary>
public sealed record HostSettings
{
    public const string SectionName = "Service";

    /// <summary>
    /// On SIGTERM or Ctrl+C, how long the service waits for the windows in flight to be published before it commits and
    /// leaves its group anyway (what has not settled is then consumed again by the next owner).
    /// </summary>
    public double DrainTimeoutSeconds { get; init; } = 10;

    /// <summary>Serves <c>/healthz</c> (the process runs) and <c>/readyz</c> (model loaded, partitions assigned) on this port; 0 serves none.</summary>
    public int HealthPort { get; init; }

    /// <summary>The host name the health endpoints bind to: <c>localhost</c>, or <c>*</c> for every interface (in a container).</summary>
    public string HealthHost { get; init; } = "localhost";

    public TimeSpan DrainTimeout => TimeSpan.FromSeconds(DrainTimeoutSeconds);

    public HostSettings Validate()
    {
        if (!(DrainTimeoutSeconds is > 0 and <= 600))
            throw new ArgumentException($"Service:DrainTimeoutSeconds {DrainTimeoutSeconds} must be above 0 and at most 600.");
        if (HealthPort is < 0 or > 65535)
            throw new ArgumentException($"Service:HealthPort {HealthPort} is not a TCP port (1-65535, or 0 for no health endpoints).");
        if (string.IsNullOrWhiteSpace(HealthHost))
            throw new ArgumentException("Service:HealthHost is empty: give a host name such as localhost, or * for every interface.");
        return this;
    }
}
