using System.Net;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streaming.Service.Configuration;

namespace Streaming.Service.Hosting;

/// <summary>
/// Liveness and readiness for orchestrators on <see cref="HostSettings.HealthPort"/>: <c>GET /healthz</c> answers 200 while
/// the process serves requests; <c>GET /readyz</c> answers 200 once the model is loaded and partitions are assigned, 503
/// with the reason before that and while draining. Started before the service, so that a slow model load reads as alive
/// and not ready.
/// </summary>
public sealed class HealthEndpoints(HostSettings settings, ServiceReadiness readiness, ILogger<HealthEndpoints> logger) : IHostedService, IDisposable
{
    readonly HttpListener listener = new();
    Task serving = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.HealthPort == 0) return Task.CompletedTask;
        var host = settings.HealthHost == "*" ? "+" : settings.HealthHost;
        listener.Prefixes.Add($"http://{host}:{settings.HealthPort}/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            throw new InvalidOperationException($"the health endpoints cannot listen on {settings.HealthHost}:{settings.HealthPort} (Service:HealthPort): {e.Message}.", e);
        }
        logger.LogInformation("health endpoints on http://{Host}:{Port}/healthz and /readyz", settings.HealthHost, settings.HealthPort);
        serving = Task.Run(ServeAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var (status, body) = context.Request.Url?.AbsolutePath.TrimEnd('/') switch
            {
                "/healthz" => (200, "alive"),
                "/readyz" => readiness.IsReady ? (200, readiness.State) : (503, readiness.State),
                _ => (404, "not found: GET /healthz or /readyz"),
            };
            var bytes = Encoding.UTF8.GetBytes(body + "\n");
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.ContentLength64 = bytes.Length;
            try
            {
                await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
                context.Response.Close();
            }
            catch (HttpListenerException)
            {
                // The prober hung up; the next request is served as usual.
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (listener.IsListening) listener.Stop();
        await serving.ConfigureAwait(false);
    }

    public void Dispose() => ((IDisposable)listener).Dispose();
}
