namespace Streaming.Video.Onnx;

/// <summary>
/// An ONNX graph under construction: nodes in topological order, initializers, inputs and outputs, with unique tensor
/// names. <see cref="ToModel"/> wraps it in a <c>ModelProto</c> of <see cref="Opset"/>.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>Opset 18: the first with Split's <c>num_outputs</c> and Resize's <c>axes</c>; ONNX Runtime 1.32 runs up to 23.</summary>
    public const int Opset = 18;

    // IR version 8 is the one that introduced opset 18's era of the format (ONNX 1.13).
    const int IrVersion = 8;

    readonly List<OnnxNode> nodes = [];
    readonly List<OnnxTensor> initializers = [];
    readonly List<OnnxValueInfo> inputs = [];
    readonly List<OnnxValueInfo> outputs = [];
    readonly HashSet<string> names = new(StringComparer.Ordinal);

    public IReadOnlyList<OnnxNode> Nodes => nodes;

    /// <summary>A name no tensor of the graph has yet, taken from <paramref name="hint"/> (suffixed when needed).</summary>
    public string Name(string hint)
    {
        var name = hint;
        for (var i = 1; !names.Add(name); i++) name = $"{hint}_{i}";
        return name;
    }

    public void AddInput(OnnxValueInfo input) => inputs.Add(input);

    public void AddOutput(OnnxValueInfo output) => outputs.Add(output);

    public string AddInitializer(string hint, Func<string, OnnxTensor> create)
    {
        var tensor = create(Name(hint));
        initializers.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node with one output named after <paramref name="hint"/>; returns the output's name.</summary>
    public string Add(string opType, string hint, string[] inputs, params OnnxAttribute[] attributes) =>
        AddMany(opType, hint, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs; returns their names.</summary>
    public string[] AddMany(string opType, string hint, string[] inputs, int outputCount, params OnnxAttribute[] attributes)
    {
        var outs = new string[outputCount];
        for (var i = 0; i < outputCount; i++) outs[i] = Name(outputCount == 1 ? hint : $"{hint}:{i}");
        nodes.Add(new OnnxNode(opType, outs[0], inputs, outs, attributes));
        return outs;
    }

    /// <summary>Adds a node whose single output has a name chosen by the caller (a graph output's, reserved with <see cref="Name"/>).</summary>
    public void AddNamed(string opType, string output, string[] inputs, params OnnxAttribute[] attributes) =>
        nodes.Add(new OnnxNode(opType, output, inputs, [output], attributes));

    // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 (OperatorSetIdProto: domain = 1, version = 2).
    // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
    public byte[] ToModel(string graphName, string producer)
    {
        var w = new ProtoWriter();
        w.Varint(1, IrVersion);
        w.String(2, producer);
        w.Message(7, graph =>
        {
            foreach (var n in nodes) graph.Message(1, n.Write);
            graph.String(2, graphName);
            foreach (var t in initializers) graph.Message(5, t.Write);
            foreach (var i in inputs) graph.Message(11, i.Write);
            foreach (var o in outputs) graph.Message(12, o.Write);
        });
        w.Message(8, opset =>
        {
            opset.String(1, "");
            opset.Varint(2, Opset);
        });
        return w.ToArray();
    }
}
