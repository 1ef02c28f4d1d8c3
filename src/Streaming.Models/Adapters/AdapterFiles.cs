using Streaming.Models.Checkpoints;
using Streaming.Tensors.IO;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Adapters;

/// <summary>
/// An adapter directory as PEFT writes it: adapter_config.json (with its peft_type) and
/// adapter_model.safetensors holding only the adapter's own tensors, kept apart from the base weights. The weight
/// files serve any module trained beside a frozen base model (ActionLLM's checkpoint too).
/// </summary>
internal static class AdapterFiles
{
    public static ConfigJson ReadConfig(string directory, string fileName, string peftType)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: adapter directory not found.");
        var json = ConfigJson.Read(Path.Combine(directory, fileName));
        var type = json.String("peft_type");
        if (type != peftType) throw json.Invalid("peft_type", $"'{type}' where a {peftType} adapter was expected");
        return json;
    }

    public static void WriteWeights(string path, Module adapter) =>
        SafeTensorsWriter.Write(path, adapter.State(), new Dictionary<string, string> { ["format"] = "pt" });

    public static void ReadWeights(string path, Module adapter)
    {
        using var checkpoint = SafeTensorsCheckpoint.OpenFile(path);
        checkpoint.ReadInto(adapter.NamedParameters());
    }
}
