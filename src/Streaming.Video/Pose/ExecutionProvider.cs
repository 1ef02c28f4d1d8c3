namespace Streaming.Video.Pose;

/// <summary>Where ONNX Runtime runs the pose model.</summary>
public enum ExecutionProvider
{
    Cpu,

    /// <summary>CUDA, where the Microsoft.ML.OnnxRuntime.Gpu.Linux build and a GPU are present; otherwise the CPU, with a warning.</summary>
    Cuda,
}
