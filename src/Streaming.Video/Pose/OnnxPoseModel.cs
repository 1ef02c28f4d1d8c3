using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Streaming.Video.Imaging;

namespace Streaming.Video.Pose;

/// <summary>
/// A COCO-17 pose model in an ONNX file, run by ONNX Runtime: each frame is letterboxed into the model input, a
/// micro-batch of frames goes through one <c>Run</c>, and keypoints come back in pixels of the original frames.
/// </summary>
public sealed class OnnxPoseModel : IPoseModel
{
    readonly PoseModelSettings settings;
    readonly InferenceSession session;
    readonly RunOptions runOptions = new();
    readonly string inputName;
    readonly TensorElementType inputType;
    readonly string keypointsOutput;
    readonly int batchLimit;

    public string Name { get; }
    public int FeatureSize { get; }

    /// <summary>The .onnx file that runs.</summary>
    public string ModelPath => settings.ModelPath;

    /// <summary>Where ONNX Runtime runs the model: CPU when CUDA was asked for but could not be used.</summary>
    public ExecutionProvider ExecutionProvider { get; }

    public OnnxPoseModel(PoseModelSettings settings, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        logger ??= NullLogger.Instance;
        this.settings = settings;
        var path = settings.ModelPath;
        if (!File.Exists(path)) throw new FileNotFoundException($"pose model '{path}' does not exist.", path);

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = settings.IntraOpThreads,
            InterOpNumThreads = 1, // one Run at a time; its parallelism is inside the ops
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        ExecutionProvider = ExecutionProvider.Cpu;
        if (settings.ExecutionProvider == ExecutionProvider.Cuda)
        {
            try
            {
                options.AppendExecutionProvider_CUDA(0);
                ExecutionProvider = ExecutionProvider.Cuda;
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                // The CPU-only package (or a machine without CUDA) cannot host the CUDA provider; the model still runs.
                logger.LogWarning("pose model {Model}: CUDA execution provider unavailable ({Reason}); falling back to CPU. CUDA needs the Microsoft.ML.OnnxRuntime.Gpu.Linux package, CUDA 12 and cuDNN 9.",
                    path, e.Message);
            }
        }

        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"pose model '{path}' is not a valid ONNX model that ONNX Runtime can load: {e.Message}", e);
        }
        try
        {
            (inputName, inputType, batchLimit) = CheckInput(session, settings);
            keypointsOutput = CheckKeypoints(session, settings);
            FeatureSize = CheckFeatures(session, settings);
        }
        catch
        {
            session.Dispose();
            throw;
        }
        Name = $"{settings.Name ?? Path.GetFileNameWithoutExtension(path)} (onnxruntime, {ExecutionProvider.ToString().ToLowerInvariant()})";
    }

    public IReadOnlyList<PoseEstimate> Estimate(IReadOnlyList<RgbImage> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var estimates = new List<PoseEstimate>(frames.Count);
        for (var start = 0; start < frames.Count; start += batchLimit)
            estimates.AddRange(Run(frames.Skip(start).Take(Math.Min(batchLimit, frames.Count - start)).ToList()));
        return estimates;
    }

    /// <summary>One ONNX Runtime call for a micro-batch.</summary>
    List<PoseEstimate> Run(List<RgbImage> frames)
    {
        int n = frames.Count, w = settings.InputWidth, h = settings.InputHeight;
        var frameSize = w * h * 3;
        var pixels = new float[n * frameSize]; // (N, H, W, 3) or (N, 3, H, W), 0..255
        var boxes = new Letterbox[n];
        for (var i = 0; i < n; i++)
        {
            boxes[i] = Letterbox.Fit(frames[i].Width, frames[i].Height, w, h);
            boxes[i].Draw(frames[i], pixels.AsSpan(i * frameSize, frameSize), w, h, settings.InputLayout == PoseInputLayout.Nchw);
        }
        long[] shape = settings.InputLayout == PoseInputLayout.Nhwc ? [n, h, w, 3] : [n, 3, h, w];
        using var input = inputType switch
        {
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(pixels.Select(p => (int)MathF.Round(p)).ToArray(), shape),
            TensorElementType.UInt8 => OrtValue.CreateTensorValueFromMemory(pixels.Select(p => (byte)MathF.Round(p)).ToArray(), shape),
            _ => OrtValue.CreateTensorValueFromMemory(settings.ValueRange == PoseValueRange.Unit ? pixels.Select(p => p / 255f).ToArray() : pixels, shape),
        };
        string[] outputs = settings.FeaturesOutput is { } f ? [keypointsOutput, f] : [keypointsOutput];
        using var results = session.Run(runOptions, [inputName], [input], outputs);
        var keypoints = results[0].GetTensorDataAsSpan<float>(); // (N, [1,] 17, 3)
        var features = FeatureSize > 0 ? results[1].GetTensorDataAsSpan<float>() : []; // (N, C)
        var perFrame = PoseEstimate.KeypointCount * 3;
        if (keypoints.Length != n * perFrame || features.Length != n * FeatureSize)
            throw new InvalidDataException($"pose model '{settings.ModelPath}' returned {keypoints.Length} keypoint values and {features.Length} features for {n} frames; expected {n * perFrame} and {n * FeatureSize}.");

        var estimates = new List<PoseEstimate>(n);
        for (var i = 0; i < n; i++)
        {
            var k = new float[perFrame];
            for (var j = 0; j < PoseEstimate.KeypointCount; j++)
            {
                var t = keypoints.Slice(i * perFrame + j * 3, 3);
                var (inputX, inputY) = settings.OutputLayout == KeypointLayout.YxScoreNormalized ? (t[1] * w, t[0] * h) : (t[0], t[1]);
                k[j * 3] = boxes[i].FrameX(inputX);
                k[j * 3 + 1] = boxes[i].FrameY(inputY);
                k[j * 3 + 2] = t[2];
            }
            estimates.Add(new PoseEstimate(k, features.Slice(i * FeatureSize, FeatureSize).ToArray()));
        }
        return estimates;
    }

    static (string Name, TensorElementType Type, int BatchLimit) CheckInput(InferenceSession session, PoseModelSettings s)
    {
        if (session.InputMetadata.Count != 1)
            throw new InvalidDataException($"pose model '{s.ModelPath}' has {session.InputMetadata.Count} inputs ({string.Join(", ", session.InputMetadata.Keys)}); a pose model takes one image input.");
        var (name, meta) = session.InputMetadata.First();
        var dims = meta.Dimensions;
        int[] expected = s.InputLayout == PoseInputLayout.Nhwc ? [-1, s.InputHeight, s.InputWidth, 3] : [-1, 3, s.InputHeight, s.InputWidth];
        if (dims.Length != 4 || Enumerable.Range(1, 3).Any(i => dims[i] > 0 && dims[i] != expected[i]))
            throw new InvalidDataException($"pose model '{s.ModelPath}': input '{name}' has shape [{string.Join(',', dims)}], but the settings describe {s.InputLayout} [N,{string.Join(',', expected[1..])}].");
        var type = meta.ElementDataType;
        if (type is not (TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt8))
            throw new InvalidDataException($"pose model '{s.ModelPath}': input '{name}' has element type {type}; supported: float, int32, uint8.");
        if (type != TensorElementType.Float && s.ValueRange != PoseValueRange.Bytes)
            throw new InvalidDataException($"pose model '{s.ModelPath}': input '{name}' is {type}, which holds 0..255 values; ValueRange {s.ValueRange} needs a float input.");
        // A model exported with a fixed batch runs micro-batches in chunks of that size.
        return (name, type, dims[0] > 0 ? dims[0] : int.MaxValue);
    }

    static string CheckKeypoints(InferenceSession session, PoseModelSettings s)
    {
        var name = s.KeypointsOutput ?? session.OutputNames[0];
        if (!session.OutputMetadata.TryGetValue(name, out var meta))
            throw new InvalidDataException($"pose model '{s.ModelPath}' has no output '{name}'; its outputs: {string.Join(", ", session.OutputNames)}.");
        var dims = meta.Dimensions;
        var fits = meta.ElementDataType == TensorElementType.Float && dims.Length is 3 or 4 && dims[^1] == 3 && dims[^2] == PoseEstimate.KeypointCount
            && (dims.Length == 3 || dims[1] is 1 or -1);
        if (!fits)
            throw new InvalidDataException($"pose model '{s.ModelPath}': output '{name}' is {meta.ElementDataType} [{string.Join(',', dims)}]; a COCO-17 keypoint output is float [N, 17, 3] or [N, 1, 17, 3].");
        return name;
    }

    static int CheckFeatures(InferenceSession session, PoseModelSettings s)
    {
        if (s.FeaturesOutput is not { } name) return 0;
        if (!session.OutputMetadata.TryGetValue(name, out var meta))
            throw new InvalidDataException($"pose model '{s.ModelPath}' has no features output '{name}'; its outputs: {string.Join(", ", session.OutputNames)}.");
        var dims = meta.Dimensions;
        if (meta.ElementDataType != TensorElementType.Float || dims.Length != 2 || dims[1] <= 0)
            throw new InvalidDataException($"pose model '{s.ModelPath}': features output '{name}' is {meta.ElementDataType} [{string.Join(',', dims)}]; expected float [N, C] with a fixed C.");
        return dims[1];
    }

    public void Dispose()
    {
        session.Dispose();
        runOptions.Dispose();
    }
}
