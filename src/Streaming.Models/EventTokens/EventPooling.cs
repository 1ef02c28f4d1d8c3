namespace Streaming.Models.EventTokens;

/// <summary>How a window's frames are pooled into segments: by learned saliency (the method), or in equal stretches of time (its ablation).</summary>
public enum EventPooling { Adaptive, Uniform }
