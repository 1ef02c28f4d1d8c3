namespace Streaming.Pipeline.Contracts;

/// <summary>
/// The camera image a skeleton was estimated from: its size in pixels, which is the coordinate frame of the skeleton's
/// x and y (origin top left, y down), and the image model's per-frame <see cref="Features"/> (for a pose model, its
/// pooled backbone activations; empty when the model exposes none), which reach the model stage on the window's frames.
/// </summary>
public sealed record CameraFrame(int Width, int Height, float[] Features);
