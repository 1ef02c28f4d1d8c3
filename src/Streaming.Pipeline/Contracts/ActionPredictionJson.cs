using System.Text.Json;

namespace Streaming.Pipeline.Contracts;

/// <summary>Writes and reads the output message with System.Text.Json.</summary>
public static class ActionPredictionJson
{
    static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static byte[] Serialize(ActionPrediction prediction) => JsonSerializer.SerializeToUtf8Bytes(prediction, Options);

    public static ActionPrediction Deserialize(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize<ActionPrediction>(utf8, Options) ?? throw new JsonException("action prediction JSON is null.");
}
