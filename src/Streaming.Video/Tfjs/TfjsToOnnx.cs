using Streaming.Video.Onnx;

namespace Streaming.Video.Tfjs;

/// <summary>
/// Translates a one-frame TF.js graph (TensorFlow's batch of one, NHWC) into an ONNX graph that runs N frames in one call.
/// </summary>
/// <remarks>
/// Batching: MoveNet's graph is written for a batch of one; its decoder bakes the batch index 0 into GatherNd indices
/// and its reshapes into constants. Instead of rewriting those constants, every tensor that depends on the input gets a
/// leading frame axis (<see cref="FrameLayout"/>): reshapes keep it with a leading 0 ("copy this dim"), axes shift by
/// one, GatherNd becomes ONNX GatherND with <c>batch_dims = 1</c>, and frame-independent operands are broadcast or
/// expanded to N. In the convolutional trunk the frame axis simply replaces TensorFlow's unit batch and tensors stay
/// NCHW, so transposes appear only where the decoder starts.
/// </remarks>
internal sealed class TfjsToOnnx
{
    /// <summary>The TF ops this importer translates (what MoveNet Lightning and Thunder use, and their plain variants).</summary>
    public static readonly IReadOnlySet<string> SupportedOps = new SortedSet<string>(StringComparer.Ordinal)
    {
        "Const", "Placeholder", "Identity", "Cast",
        "Sigmoid", "Relu", "Relu6", "Sqrt",
        "Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "SquaredDifference", "FloorDiv",
        "Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative", "ResizeBilinear",
        "Reshape", "ArgMax", "Pack", "Unpack", "ExpandDims", "Squeeze", "ConcatV2", "GatherNd",
    };

    public const string FeaturesOutput = "features";

    readonly TfjsGraphModel model;
    readonly OnnxGraph g = new();
    readonly Dictionary<string, TfValue> values = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> written = new(StringComparer.Ordinal);
    string? input;
    string? frames;

    TfjsToOnnx(TfjsGraphModel model) => this.model = model;

    /// <summary>
    /// The ONNX graph of <paramref name="model"/>: input <c>[N, H, W, C]</c>, one output per signature output with the
    /// unit batch replaced by N, and, when <paramref name="featuresNode"/> names a 4-D activation, a
    /// <see cref="FeaturesOutput"/> output <c>[N, C]</c> with its global average.
    /// </summary>
    public static OnnxGraph Translate(TfjsGraphModel model, string? featuresNode)
    {
        var unsupported = model.Nodes.Where(n => !SupportedOps.Contains(n.Op)).GroupBy(n => n.Op).ToList();
        if (unsupported.Count > 0)
            throw new NotSupportedException(
                $"'{model.Path}' uses TF.js op(s) the importer does not translate: " +
                string.Join(", ", unsupported.Select(u => $"'{u.Key}' (node '{u.First().Name}'{(u.Count() > 1 ? $" and {u.Count() - 1} more" : "")})")) +
                ". Supported: " + string.Join(", ", SupportedOps) + ".");
        var t = new TfjsToOnnx(model);
        var outputs = t.OutputNames();
        var reserved = outputs.Select(o => t.g.Name(o)).ToList();
        if (featuresNode is not null) t.g.Name(FeaturesOutput);
        foreach (var node in Sorted(model)) t.Translate(node);
        for (var i = 0; i < outputs.Count; i++) t.Output(outputs[i], reserved[i]);
        if (featuresNode is not null) t.Features(featuresNode);
        return t.g;
    }

    void Translate(TfjsNode n)
    {
        switch (n.Op)
        {
            case "Const":
                var w = model.Weights.GetValueOrDefault(n.Name) ?? throw new InvalidDataException($"Const node '{n.Name}' has no entry in the weightsManifest of '{model.Path}'.");
                values[n.Name] = new TfValue(null, FrameLayout.Constant, w.Shape, w.IsFloat ? TfType.Float32 : TfType.Int32, w);
                break;
            case "Placeholder": Placeholder(n); break;
            case "Identity": Set(n, Unary(n, "Identity", In(n, 0))); break;
            case "Cast":
                var to = Type(n, n.Type("DstT"));
                Set(n, Unary(n, "Cast", In(n, 0), to, OnnxAttribute.Of("to", (long)Onnx(to))));
                break;
            case "Sigmoid": Set(n, Unary(n, "Sigmoid", In(n, 0))); break;
            case "Relu": Set(n, Unary(n, "Relu", In(n, 0))); break;
            case "Sqrt": Set(n, Unary(n, "Sqrt", In(n, 0))); break;
            case "Relu6": Set(n, Relu6(n.Name, In(n, 0))); break;
            case "Add" or "AddV2": Set(n, Binary(n.Name, "Add", In(n, 0), In(n, 1))); break;
            case "Sub": Set(n, Binary(n.Name, "Sub", In(n, 0), In(n, 1))); break;
            case "Mul": Set(n, Binary(n.Name, "Mul", In(n, 0), In(n, 1))); break;
            case "RealDiv": Set(n, Binary(n.Name, "Div", In(n, 0), In(n, 1))); break;
            case "Maximum": Set(n, Binary(n.Name, "Max", In(n, 0), In(n, 1))); break;
            case "Minimum": Set(n, Binary(n.Name, "Min", In(n, 0), In(n, 1))); break;
            case "SquaredDifference":
                var d = Binary(n.Name + "/diff", "Sub", In(n, 0), In(n, 1));
                Set(n, Binary(n.Name, "Mul", d, d));
                break;
            case "FloorDiv": Set(n, FloorDiv(n)); break;
            case "Conv2D" or "_FusedConv2D" or "DepthwiseConv2dNative" or "FusedDepthwiseConv2dNative": Set(n, Conv(n)); break;
            case "ResizeBilinear": Set(n, Resize(n)); break;
            case "Reshape": Set(n, Reshape(n)); break;
            case "ArgMax": Set(n, ArgMax(n)); break;
            case "Pack": Set(n, Concat(n, Inputs(n).Select(i => In(n, i)).ToList(), (int)n.Int("axis", 0), stack: true)); break;
            case "ConcatV2":
                var count = Inputs(n).Count - 1;
                Set(n, Concat(n, Enumerable.Range(0, count).Select(i => In(n, i)).ToList(), Ints(n, count)[0], stack: false));
                break;
            case "Unpack": Unpack(n); break;
            case "ExpandDims": Set(n, ExpandDims(n)); break;
            case "Squeeze": Set(n, Squeeze(n)); break;
            case "GatherNd": Set(n, GatherNd(n)); break;
            default: throw new NotSupportedException($"TF.js op '{n.Op}' (node '{n.Name}') is not supported by the importer.");
        }
    }

    // ---- graph input and outputs ----

    void Placeholder(TfjsNode n)
    {
        if (input is not null) throw new NotSupportedException($"'{model.Path}' has more than one Placeholder ('{n.Name}'); the importer translates single-input models.");
        var dims = n.Shape("shape");
        var type = Type(n, n.Type("dtype"));
        if (dims.Length == 0 || dims[0] is not (1 or -1))
            throw new NotSupportedException($"input '{n.Name}' has shape [{string.Join(',', dims)}]; the importer needs a leading batch dimension of 1 or -1 (it batches frames itself).");
        for (var i = 1; i < dims.Length; i++)
            if (dims[i] <= 0) throw new NotSupportedException($"input '{n.Name}' has unknown dimension {i} in [{string.Join(',', dims)}]; the importer needs a fixed input size.");
        input = g.Name(n.Name);
        g.AddInput(new OnnxValueInfo(input, Onnx(type), [-1, .. dims[1..]]));
        values[n.Name] = new TfValue(input, FrameLayout.Merged, [1, .. dims[1..].Select(d => (int)d)], type);
    }

    List<string> OutputNames()
    {
        if (model.SignatureOutputs.Count > 0) return model.SignatureOutputs.Select(Key).ToList();
        var consumed = model.Nodes.SelectMany(n => n.Inputs).Select(Key).ToHashSet(StringComparer.Ordinal);
        return model.Nodes.Where(n => n.Op != "Const" && !consumed.Contains(n.Name)).Select(n => n.Name).ToList();
    }

    void Output(string tfName, string onnxName)
    {
        var v = values.GetValueOrDefault(tfName) ?? throw new InvalidDataException($"signature output '{tfName}' of '{model.Path}' is not produced by any node.");
        if (v.Layout == FrameLayout.Constant) throw new NotSupportedException($"output '{tfName}' does not depend on the input; nothing to batch.");
        var merged = v.Rank > 0 && v.Shape[0] == 1;
        var held = merged ? ToMerged(v) : ToFramed(v);
        g.AddNamed("Identity", onnxName, [held.Onnx!]);
        g.AddOutput(new OnnxValueInfo(onnxName, Onnx(v.Type), [-1, .. (merged ? v.Shape[1..] : v.Shape).Select(d => (long)d)]));
    }

    void Features(string node)
    {
        var v = values.GetValueOrDefault(node) ?? throw new ArgumentException($"features node '{node}' is not in '{model.Path}'.", nameof(node));
        if (v.Rank != 4 || v.Layout == FrameLayout.Constant || v.Type != TfType.Float32)
            throw new ArgumentException($"features node '{node}' must be a float activation [1, H, W, C] that depends on the input; it is [{string.Join(',', v.Shape)}].", nameof(node));
        var pooled = g.Add("GlobalAveragePool", node + "/pool", [ToNchw(v).Onnx!]); // (N, C, 1, 1)
        g.AddNamed("Flatten", FeaturesOutput, [pooled], OnnxAttribute.Of("axis", 1L)); // (N, C)
        g.AddOutput(new OnnxValueInfo(FeaturesOutput, OnnxDataType.Float, [-1, v.Shape[3]]));
    }

    // ---- elementwise ----

    TfValue Unary(TfjsNode n, string op, TfValue x, TfType? type = null, params OnnxAttribute[] attributes) =>
        new(g.Add(op, n.Name, [Write(x)], attributes), x.Layout, x.Shape, type ?? x.Type);

    TfValue Relu6(string name, TfValue x) =>
        new(g.Add("Clip", name, [Write(x), Scalar("relu6/min", 0f), Scalar("relu6/max", 6f)]), x.Layout, x.Shape, x.Type);

    /// <summary>
    /// A broadcasting binary op. Stays NCHW when an operand is NCHW and the others can follow (weights are transposed
    /// here); stays merged when every operand has the output's rank or is a weight; otherwise works framed.
    /// </summary>
    TfValue Binary(string name, string op, TfValue a, TfValue b)
    {
        var shape = Broadcast(name, a.Shape, b.Shape);
        if (a.Layout == FrameLayout.Constant && b.Layout == FrameLayout.Constant)
            return new TfValue(g.Add(op, name, [Write(a), Write(b)]), FrameLayout.Constant, shape, a.Type);
        var unitBatch = shape.Length > 0 && shape[0] == 1;
        if (unitBatch && shape.Length == 4 && (a.Layout == FrameLayout.MergedNchw || b.Layout == FrameLayout.MergedNchw) && FollowsNchw(a) && FollowsNchw(b))
            return new TfValue(g.Add(op, name, [AsNchw(a), AsNchw(b)]), FrameLayout.MergedNchw, shape, a.Type);
        if (unitBatch && FollowsMerged(a, shape.Length) && FollowsMerged(b, shape.Length))
            return new TfValue(g.Add(op, name, [AsMerged(a), AsMerged(b)]), FrameLayout.Merged, shape, a.Type);
        return new TfValue(g.Add(op, name, [AsFramed(a, shape.Length), AsFramed(b, shape.Length)]), FrameLayout.Framed, shape, a.Type);
    }

    static bool FollowsNchw(TfValue v) => v.Layout switch
    {
        FrameLayout.MergedNchw => true,
        FrameLayout.Merged => v.Rank == 4,
        FrameLayout.Constant => v.Weight is not null && (v.Rank < 4 || v.Shape[0] == 1),
        _ => false,
    };

    string AsNchw(TfValue v)
    {
        if (v.Layout != FrameLayout.Constant) return ToNchw(v).Onnx!;
        if (v.Rank == 0) return Write(v);
        // A weight broadcast against NHWC: pad to [1, h, w, c] and store it as [1, c, h, w].
        var s = Enumerable.Repeat(1, 4 - v.Rank).Concat(v.Shape).ToArray();
        int h = s[1], w = s[2], c = s[3];
        var key = v.Weight!.Name + "/nchw";
        if (written.TryGetValue(key, out var name)) return name;
        name = v.Weight.IsFloat
            ? g.AddInitializer(key, n => OnnxTensor.Of(n, [1, c, h, w], ToNchw(v.Weight.Floats!, h, w, c)))
            : g.AddInitializer(key, n => OnnxTensor.Of(n, [1, c, h, w], ToNchw(v.Weight.Ints!, h, w, c)));
        return written[key] = name;
    }

    static T[] ToNchw<T>(T[] hwc, int h, int w, int c)
    {
        var chw = new T[hwc.Length];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                for (var k = 0; k < c; k++)
                    chw[(k * h + y) * w + x] = hwc[(y * w + x) * c + k];
        return chw;
    }

    static bool FollowsMerged(TfValue v, int rank) => v.Layout switch
    {
        FrameLayout.Merged or FrameLayout.MergedNchw => v.Rank == rank,
        FrameLayout.Constant => v.Rank < rank || v.Shape[0] == 1,
        _ => false,
    };

    string AsMerged(TfValue v) => v.Layout == FrameLayout.Constant ? Write(v) : ToMerged(v).Onnx!;

    /// <summary>A frame-dependent operand as <c>[N, 1.., S]</c> so that it lines up with the output's rank; weights broadcast as they are.</summary>
    string AsFramed(TfValue v, int rank)
    {
        if (v.Layout == FrameLayout.Constant) return Write(v);
        var framed = ToFramed(v).Onnx!;
        return v.Rank == rank ? framed : g.Add("Unsqueeze", framed + "/aligned", [framed, Longs("axes", Enumerable.Range(1, rank - v.Rank).Select(i => (long)i).ToArray())]);
    }

    TfValue FloorDiv(TfjsNode n)
    {
        var (a, b) = (In(n, 0), In(n, 1));
        if (a.Type == TfType.Float32) return Floor(n.Name, Binary(n.Name + "/div", "Div", a, b));
        // Integer floor division through doubles: exact for int32, and floors (not truncates) negative quotients as TF does.
        var quotient = Floor(n.Name + "/floor", Binary(n.Name + "/div", "Div", CastTo(a, TfType.Float64), CastTo(b, TfType.Float64)));
        return CastTo(quotient, a.Type, n.Name);
    }

    TfValue Floor(string name, TfValue x) => new(g.Add("Floor", name, [Write(x)]), x.Layout, x.Shape, x.Type);

    TfValue CastTo(TfValue x, TfType type, string? name = null) =>
        new(g.Add("Cast", name ?? $"{x.Onnx ?? x.Weight!.Name}/{type}", [Write(x)], OnnxAttribute.Of("to", (long)Onnx(type))), x.Layout, x.Shape, type);

    // ---- convolution trunk ----

    TfValue Conv(TfjsNode n)
    {
        var depthwise = n.Op.Contains("Depthwise", StringComparison.Ordinal);
        var x = In(n, 0);
        var filter = In(n, 1);
        if (filter.Weight?.Floats is not { } f || filter.Rank != 4)
            throw new NotSupportedException($"node '{n.Name}' ({n.Op}): the filter must be a float constant [kh, kw, cin, cout]; it is [{string.Join(',', filter.Shape)}].");
        if (n.Has("data_format") && n.String("data_format") != "NHWC")
            throw new NotSupportedException($"node '{n.Name}' ({n.Op}) has data_format '{n.String("data_format")}'; only NHWC is supported.");
        var padding = n.String("padding");
        if (padding is not ("SAME" or "VALID"))
            throw new NotSupportedException($"node '{n.Name}' ({n.Op}) has padding '{padding}'; only SAME and VALID are supported.");
        var strides = n.Ints("strides");
        var dilations = n.Ints("dilations") is { Length: 4 } dl ? dl : [1, 1, 1, 1];
        int kh = filter.Shape[0], kw = filter.Shape[1], ci = filter.Shape[2], m = filter.Shape[3];
        if (x.Rank != 4 || x.Shape[0] != 1 || x.Shape[3] != ci)
            throw new InvalidDataException($"node '{n.Name}' ({n.Op}): input [{string.Join(',', x.Shape)}] does not fit filter [{string.Join(',', filter.Shape)}].");
        var co = depthwise ? ci * m : m;

        // HWIO -> OIHW; a depthwise [kh, kw, c, m] filter is a grouped conv with group = c and output channel c * m + j.
        var w = new float[f.Length];
        for (var i = 0; i < kh; i++)
            for (var j = 0; j < kw; j++)
                for (var c = 0; c < ci; c++)
                    for (var o = 0; o < m; o++)
                    {
                        var src = ((i * kw + j) * ci + c) * m + o;
                        w[depthwise ? ((c * m + o) * kh + i) * kw + j : ((o * ci + c) * kh + i) * kw + j] = f[src];
                    }
        var weights = g.AddInitializer(filter.Weight.Name, name => OnnxTensor.Of(name, [co, depthwise ? 1 : ci, kh, kw], w));

        var (outH, padTop, padBottom) = Padding(x.Shape[1], kh, (int)strides[1], (int)dilations[1], padding);
        var (outW, padLeft, padRight) = Padding(x.Shape[2], kw, (int)strides[2], (int)dilations[2], padding);
        var inputs = new List<string> { ToNchw(x).Onnx!, weights };

        var fused = n.Strings("fused_ops");
        if (fused.Length > 0)
        {
            if (fused[0] != "BiasAdd" || n.Int("num_args", 1) != 1)
                throw new NotSupportedException($"node '{n.Name}' ({n.Op}) fuses [{string.Join(", ", fused)}]; the importer translates BiasAdd optionally followed by Relu or Relu6.");
            var bias = In(n, 2);
            if (bias.Weight?.Floats is not { } b || b.Length != co)
                throw new NotSupportedException($"node '{n.Name}' ({n.Op}): the bias must be a float constant [{co}].");
            inputs.Add(Write(bias));
        }
        var activation = fused.Skip(1).ToArray();
        if (activation.Length > 1 || activation.Length == 1 && activation[0] is not ("Relu" or "Relu6"))
            throw new NotSupportedException($"node '{n.Name}' ({n.Op}) fuses [{string.Join(", ", fused)}]; the importer translates BiasAdd optionally followed by Relu or Relu6.");

        var conv = g.Add("Conv", activation.Length == 0 ? n.Name : n.Name + "/conv", [.. inputs],
            OnnxAttribute.Of("kernel_shape", kh, kw),
            OnnxAttribute.Of("strides", strides[1], strides[2]),
            OnnxAttribute.Of("dilations", dilations[1], dilations[2]),
            OnnxAttribute.Of("pads", padTop, padLeft, padBottom, padRight),
            OnnxAttribute.Of("group", depthwise ? ci : 1L));
        var y = new TfValue(conv, FrameLayout.MergedNchw, [1, outH, outW, co], TfType.Float32);
        return activation switch
        {
            ["Relu"] => new TfValue(g.Add("Relu", n.Name, [conv]), y.Layout, y.Shape, y.Type),
            ["Relu6"] => Relu6(n.Name, y),
            _ => y,
        };
    }

    /// <summary>Output size and padding of one spatial axis. SAME pads the odd pixel at the end, as TensorFlow does.</summary>
    static (int Out, long Begin, long End) Padding(int size, int kernel, int stride, int dilation, string padding)
    {
        var extent = (kernel - 1) * dilation + 1;
        if (padding == "VALID") return ((size - extent + stride) / stride, 0, 0);
        var output = (size + stride - 1) / stride;
        var total = Math.Max((output - 1) * stride + extent - size, 0);
        return (output, total / 2, total - total / 2);
    }

    TfValue Resize(TfjsNode n)
    {
        var x = In(n, 0);
        var size = Ints(n, 1);
        if (x.Rank != 4 || size.Length != 2) throw new InvalidDataException($"node '{n.Name}' (ResizeBilinear): needs a [1, H, W, C] image and a constant size [2].");
        var mode = n.Bool("align_corners", false) ? "align_corners" : n.Bool("half_pixel_centers", false) ? "half_pixel" : "asymmetric";
        var resized = g.Add("Resize", n.Name, [ToNchw(x).Onnx!, "", "", Longs("sizes", [size[0], size[1]])],
            OnnxAttribute.Of("axes", 2L, 3L),
            OnnxAttribute.Of("mode", "linear"),
            OnnxAttribute.Of("coordinate_transformation_mode", mode));
        return new TfValue(resized, FrameLayout.MergedNchw, [1, size[0], size[1], x.Shape[3]], x.Type);
    }

    // ---- shape and indexing (the decoder) ----

    TfValue Reshape(TfjsNode n)
    {
        var x = In(n, 0);
        var target = Ints(n, 1);
        var count = x.Shape.Aggregate(1L, (a, d) => a * d);
        var known = target.Where(d => d != -1).Aggregate(1L, (a, d) => a * d);
        if (target.Any(d => d == 0 || d < -1) || target.Count(d => d == -1) > 1 || known == 0 || count % known != 0)
            throw new NotSupportedException($"node '{n.Name}' (Reshape): cannot reshape [{string.Join(',', x.Shape)}] to [{string.Join(',', target)}].");
        var shape = target.Select(d => d == -1 ? (int)(count / known) : d).ToArray();
        if (shape.Aggregate(1L, (a, d) => a * d) != count)
            throw new InvalidDataException($"node '{n.Name}' (Reshape): [{string.Join(',', x.Shape)}] has {count} elements, [{string.Join(',', target)}] has {known}.");
        if (x.Layout == FrameLayout.Constant)
            return new TfValue(g.Add("Reshape", n.Name, [Write(x), Longs("shape", shape.Select(d => (long)d).ToArray())]), FrameLayout.Constant, shape, x.Type);
        // Each frame's elements are contiguous in TF order in the framed and merged layouts; a leading 0 keeps N.
        var source = x.Layout == FrameLayout.MergedNchw ? ToMerged(x) : x;
        var merged = shape.Length > 0 && shape[0] == 1;
        var onnxShape = merged ? [0, .. shape[1..].Select(d => (long)d)] : new long[] { 0 }.Concat(shape.Select(d => (long)d)).ToArray();
        return new TfValue(g.Add("Reshape", n.Name, [source.Onnx!, Longs("shape", onnxShape)]), merged ? FrameLayout.Merged : FrameLayout.Framed, shape, x.Type);
    }

    TfValue ArgMax(TfjsNode n)
    {
        var x = In(n, 0);
        var axis = Axis(n, Ints(n, 1)[0], x.Rank);
        if (n.Has("output_type") && n.Type("output_type") != "DT_INT32")
            throw new NotSupportedException($"node '{n.Name}' (ArgMax) has output_type {n.Type("output_type")}; only DT_INT32 is supported.");
        var (source, shift, layout) = Lift(x);
        var index = g.Add("ArgMax", n.Name + "/int64", [source], OnnxAttribute.Of("axis", (long)(axis + shift)), OnnxAttribute.Of("keepdims", 0L));
        var cast = g.Add("Cast", n.Name, [index], OnnxAttribute.Of("to", (long)OnnxDataType.Int32));
        return new TfValue(cast, layout, [.. x.Shape[..axis], .. x.Shape[(axis + 1)..]], TfType.Int32);
    }

    /// <summary>Pack (stack: each input gains the axis) and ConcatV2; frame-independent inputs are expanded to N frames.</summary>
    TfValue Concat(TfjsNode n, List<TfValue> parts, int axis, bool stack)
    {
        var rank = parts[0].Rank;
        axis = Axis(n, axis, stack ? rank + 1 : rank);
        var shape = stack
            ? [.. parts[0].Shape[..axis], parts.Count, .. parts[0].Shape[axis..]]
            : parts[0].Shape.Select((d, i) => i == axis ? parts.Sum(p => p.Shape[axis]) : d).ToArray();
        var constant = parts.All(p => p.Layout == FrameLayout.Constant);
        var shift = constant ? 0 : 1;
        var inputs = parts.Select(p =>
        {
            var held = constant ? Write(p) : ToFramed(p).Onnx!;
            return stack ? g.Add("Unsqueeze", held + "/stacked", [held, Longs("axes", [axis + shift])]) : held;
        }).ToArray();
        return new TfValue(g.Add("Concat", n.Name, inputs, OnnxAttribute.Of("axis", (long)(axis + shift))),
            constant ? FrameLayout.Constant : FrameLayout.Framed, shape, parts[0].Type);
    }

    void Unpack(TfjsNode n)
    {
        var x = In(n, 0);
        var axis = Axis(n, (int)n.Int("axis", 0), x.Rank);
        var num = (int)n.Int("num");
        if (num != x.Shape[axis]) throw new InvalidDataException($"node '{n.Name}' (Unpack): num {num} but axis {axis} of [{string.Join(',', x.Shape)}] has {x.Shape[axis]}.");
        int[] shape = [.. x.Shape[..axis], .. x.Shape[(axis + 1)..]];
        if (x.Layout == FrameLayout.Merged && axis == 0)
        {
            values[n.Name] = x with { Layout = FrameLayout.Framed, Shape = shape }; // unstacking the unit batch: each frame is its own item
            return;
        }
        var (source, shift, layout) = Lift(x);
        var parts = num == 1 ? [source] : g.AddMany("Split", n.Name + "/split", [source], num, OnnxAttribute.Of("axis", (long)(axis + shift)), OnnxAttribute.Of("num_outputs", (long)num));
        for (var i = 0; i < num; i++)
            values[i == 0 ? n.Name : $"{n.Name}:{i}"] = new TfValue(g.Add("Squeeze", i == 0 ? n.Name : $"{n.Name}:{i}", [parts[i], Longs("axes", [axis + shift])]), layout, shape, x.Type);
    }

    TfValue ExpandDims(TfjsNode n)
    {
        var x = In(n, 0);
        var axis = Axis(n, Ints(n, 1)[0], x.Rank + 1);
        int[] shape = [.. x.Shape[..axis], 1, .. x.Shape[axis..]];
        if (x.Layout == FrameLayout.Framed && axis == 0) return x with { Layout = FrameLayout.Merged, Shape = shape };
        var (source, shift, layout) = Lift(x);
        return new TfValue(g.Add("Unsqueeze", n.Name, [source, Longs("axes", [axis + shift])]), layout, shape, x.Type);
    }

    TfValue Squeeze(TfjsNode n)
    {
        var x = In(n, 0);
        var dims = n.Ints("squeeze_dims").Select(d => Axis(n, (int)d, x.Rank)).ToArray();
        if (dims.Length == 0) dims = Enumerable.Range(0, x.Rank).Where(i => x.Shape[i] == 1).ToArray();
        if (dims.Any(d => x.Shape[d] != 1)) throw new InvalidDataException($"node '{n.Name}' (Squeeze): dims [{string.Join(',', dims)}] of [{string.Join(',', x.Shape)}] are not all 1.");
        var shape = x.Shape.Where((_, i) => !dims.Contains(i)).ToArray();
        if (x.Layout == FrameLayout.Merged && dims is [0]) return x with { Layout = FrameLayout.Framed, Shape = shape };
        var (source, shift, layout) = Lift(x);
        return new TfValue(g.Add("Squeeze", n.Name, [source, Longs("axes", dims.Select(d => (long)(d + shift)).ToArray())]), layout, shape, x.Type);
    }

    /// <summary>TF GatherNd on one frame is ONNX GatherND with <c>batch_dims = 1</c> over the frame axis of both inputs.</summary>
    TfValue GatherNd(TfjsNode n)
    {
        var (p, idx) = (In(n, 0), In(n, 1));
        var k = idx.Shape[^1];
        if (k > p.Rank) throw new InvalidDataException($"node '{n.Name}' (GatherNd): indices of depth {k} into [{string.Join(',', p.Shape)}].");
        int[] shape = [.. idx.Shape[..^1], .. p.Shape[k..]];
        // ONNX indices are int64.
        if (p.Layout == FrameLayout.Constant && idx.Layout == FrameLayout.Constant)
            return new TfValue(g.Add("GatherND", n.Name, [Write(p), g.Add("Cast", n.Name + "/indices", [Write(idx)], OnnxAttribute.Of("to", (long)OnnxDataType.Int64))]), FrameLayout.Constant, shape, p.Type);
        var indices = g.Add("Cast", n.Name + "/indices", [ToFramed(idx).Onnx!], OnnxAttribute.Of("to", (long)OnnxDataType.Int64));
        return new TfValue(g.Add("GatherND", n.Name, [ToFramed(p).Onnx!, indices], OnnxAttribute.Of("batch_dims", 1L)), FrameLayout.Framed, shape, p.Type);
    }

    // ---- frame layouts ----

    /// <summary>A tensor for a generic op: weights as they are (axes unshifted), everything else framed (axes shift by one).</summary>
    (string Source, int Shift, FrameLayout Layout) Lift(TfValue x) =>
        x.Layout == FrameLayout.Constant ? (Write(x), 0, FrameLayout.Constant) : (ToFramed(x).Onnx!, 1, FrameLayout.Framed);

    TfValue ToFramed(TfValue v) => v.Layout switch
    {
        FrameLayout.Framed => v,
        FrameLayout.Merged => v with { Onnx = g.Add("Unsqueeze", v.Onnx + "/framed", [v.Onnx!, Longs("axes", [1])]), Layout = FrameLayout.Framed },
        FrameLayout.MergedNchw => ToFramed(ToMerged(v)),
        _ => v with { Onnx = g.Add("Expand", Write(v) + "/frames", [Write(v), g.Add("Concat", Write(v) + "/frames_shape", [Frames(), Longs("shape", v.Shape.Select(d => (long)d).ToArray())], OnnxAttribute.Of("axis", 0L))]), Layout = FrameLayout.Framed },
    };

    TfValue ToMerged(TfValue v)
    {
        if (v.Rank == 0 || v.Shape[0] != 1) throw new InvalidOperationException($"'{v.Onnx}' [{string.Join(',', v.Shape)}] has no unit batch to merge the frame axis into.");
        return v.Layout switch
        {
            FrameLayout.Merged => v,
            FrameLayout.MergedNchw => v with { Onnx = g.Add("Transpose", v.Onnx + "/nhwc", [v.Onnx!], OnnxAttribute.Of("perm", 0L, 2L, 3L, 1L)), Layout = FrameLayout.Merged },
            FrameLayout.Framed => v with { Onnx = g.Add("Squeeze", v.Onnx + "/merged", [v.Onnx!, Longs("axes", [1])]), Layout = FrameLayout.Merged },
            _ => ToMerged(ToFramed(v)),
        };
    }

    TfValue ToNchw(TfValue v)
    {
        if (v.Rank != 4) throw new InvalidOperationException($"'{v.Onnx}' [{string.Join(',', v.Shape)}] is not an image [1, H, W, C].");
        if (v.Layout == FrameLayout.MergedNchw) return v;
        var merged = ToMerged(v);
        return merged with { Onnx = g.Add("Transpose", merged.Onnx + "/nchw", [merged.Onnx!], OnnxAttribute.Of("perm", 0L, 3L, 1L, 2L)), Layout = FrameLayout.MergedNchw };
    }

    /// <summary>N, the number of frames in this call, as a 1-D int64 tensor (read from the input's shape once).</summary>
    string Frames() => frames ??= g.Add("Shape", "frames", [input!], OnnxAttribute.Of("start", 0L), OnnxAttribute.Of("end", 1L));

    // ---- constants and helpers ----

    /// <summary>The ONNX name of a value; a weight becomes an initializer on first use.</summary>
    string Write(TfValue v)
    {
        if (v.Onnx is not null) return v.Onnx;
        var weight = v.Weight!;
        if (written.TryGetValue(weight.Name, out var name)) return name;
        var dims = weight.Shape.Select(d => (long)d).ToArray();
        name = weight.IsFloat
            ? g.AddInitializer(weight.Name, n => OnnxTensor.Of(n, dims, weight.Floats!))
            : g.AddInitializer(weight.Name, n => OnnxTensor.Of(n, dims, weight.Ints!));
        return written[weight.Name] = name;
    }

    string Longs(string hint, long[] values) => g.AddInitializer(hint, n => OnnxTensor.Of(n, [values.Length], values));

    string Scalar(string key, float value)
    {
        if (written.TryGetValue(key, out var name)) return name;
        return written[key] = g.AddInitializer(key, n => OnnxTensor.Of(n, [], new[] { value }));
    }

    static List<int> Inputs(TfjsNode n) => n.Inputs.Select((s, i) => (s, i)).Where(p => !p.s.StartsWith('^')).Select(p => p.i).ToList();

    TfValue In(TfjsNode n, int index)
    {
        var inputs = n.Inputs.Where(s => !s.StartsWith('^')).ToList();
        if (index >= inputs.Count) throw new InvalidDataException($"node '{n.Name}' ({n.Op}) has {inputs.Count} inputs; input {index} is missing.");
        var key = Key(inputs[index]);
        return values.GetValueOrDefault(key) ?? throw new InvalidDataException($"node '{n.Name}' reads '{inputs[index]}', which no node produces.");
    }

    int[] Ints(TfjsNode n, int index)
    {
        var v = In(n, index);
        return v.Weight?.Ints ?? throw new NotSupportedException($"node '{n.Name}' ({n.Op}): input {index} must be an int32 constant (the importer needs static shapes and axes).");
    }

    void Set(TfjsNode n, TfValue v) => values[n.Name] = v;

    static int Axis(TfjsNode n, int axis, int rank) =>
        axis >= -rank && axis < rank ? (axis + rank) % rank : throw new InvalidDataException($"node '{n.Name}' ({n.Op}): axis {axis} is out of range for rank {rank}.");

    static int[] Broadcast(string name, int[] a, int[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var shape = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var x = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            var y = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (x != y && x != 1 && y != 1) throw new InvalidDataException($"node '{name}': shapes [{string.Join(',', a)}] and [{string.Join(',', b)}] do not broadcast.");
            shape[i] = Math.Max(x, y);
        }
        return shape;
    }

    static string Key(string input)
    {
        var name = input.TrimStart('^');
        return name.EndsWith(":0", StringComparison.Ordinal) ? name[..^2] : name;
    }

    TfType Type(TfjsNode n, string dtype) => dtype switch
    {
        "DT_FLOAT" => TfType.Float32,
        "DT_INT32" => TfType.Int32,
        "DT_DOUBLE" => TfType.Float64,
        _ => throw new NotSupportedException($"node '{n.Name}' ({n.Op}) of '{model.Path}' uses type {dtype}; supported: DT_FLOAT, DT_INT32, DT_DOUBLE."),
    };

    static OnnxDataType Onnx(TfType type) => type switch
    {
        TfType.Float32 => OnnxDataType.Float,
        TfType.Int32 => OnnxDataType.Int32,
        _ => OnnxDataType.Double,
    };

    /// <summary>The nodes in an order where every node follows its inputs.</summary>
    static List<TfjsNode> Sorted(TfjsGraphModel model)
    {
        var byName = new Dictionary<string, TfjsNode>(StringComparer.Ordinal);
        foreach (var n in model.Nodes)
            if (!byName.TryAdd(n.Name, n)) throw new InvalidDataException($"'{model.Path}' has two nodes named '{n.Name}'.");
        var order = new List<TfjsNode>(model.Nodes.Count);
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the path, true: done
        void Visit(TfjsNode n)
        {
            if (state.TryGetValue(n.Name, out var done))
            {
                if (!done) throw new InvalidDataException($"'{model.Path}' has a cycle through node '{n.Name}'.");
                return;
            }
            state[n.Name] = false;
            foreach (var i in n.Inputs)
            {
                var name = Key(i);
                var colon = name.LastIndexOf(':');
                if (!byName.TryGetValue(name, out var source) && !(colon > 0 && byName.TryGetValue(name[..colon], out source)))
                    throw new InvalidDataException($"node '{n.Name}' reads '{i}', which no node of '{model.Path}' produces.");
                Visit(source);
            }
            state[n.Name] = true;
            order.Add(n);
        }
        foreach (var n in model.Nodes) Visit(n);
        return order;
    }
}
