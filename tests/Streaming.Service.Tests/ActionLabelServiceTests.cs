using Streaming.Kafka.Topics;
using System.Text;
using Microsoft.Extensions.Logging;
using NJsonSchema;
using Streaming.Service;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Embedded;
using Streaming.Kafka.Tests.Interop;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;

namespace Streaming.Service.Tests;

/// <summary>
/// The service on action-label input as other programs see it: kcat writes action events (good and bad) of two streams
/// into the input topic of a running service with a tiny ActionLLM checkpoint trained here; the outputs validate against
/// schemas/action-prediction.v1.schema.json and anticipate a future, and the bad events are dead-lettered with their reasons.
/// </summary>
public sealed class ActionLabelServiceTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("action-label-service-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task KcatActionEvents_GiveSchemaValidPredictionsWithFutures_AndDeadLettersWithReasons()
    {
        var checkpoint = TinyActionLlm.Save(Path.Combine(root, "anticipator"));
        var configuration = ServiceConfiguration.Load(Path.Combine(root, "none", "appsettings.json"),
            [new("Pipeline:Input", "ActionLabels"), new("Pipeline:Anticipator", checkpoint), new("Pipeline:ActivitySeconds", "40"),
             new("Pipeline:IdleTimeoutSeconds", "2"), new("Pipeline:PerStreamCapacity", "64"), new("Kafka:EmbeddedPartitions", "1")]);
        Assert.Equal([StreamingTopics.ActionLabels.Name], configuration.Kafka.InputTopics);
        var kafka = configuration.Kafka;
        using var endpoint = KafkaEndpoint.Open(kafka);
        var bootstrap = endpoint.BootstrapServers;

        // Two activities that started 30 s ago, an event every 2 s; then four bad events.
        var start = DateTimeOffset.UtcNow.AddSeconds(-30);
        var lines = new StringBuilder();
        void Line(string key, string json) => lines.Append(key).Append('\t').Append(json).Append('\n');
        for (int i = 0; i < 10; i++)
            foreach (var stream in new[] { "salad-a", "salad-b" })
            {
                var label = TinyActionLlm.Actions[(i / 3 + (stream == "salad-b" ? 1 : 0)) % TinyActionLlm.Actions.Length];
                Line(stream, Encoding.UTF8.GetString(ActionEventJson.Serialize(new ActionEvent(stream, start.AddSeconds(2 * i), label, 0.9))));
            }
        string Event(double seconds, string label, string confidence = "0.5") =>
            $"{{\"schema\":1,\"stream\":\"salad-a\",\"time\":\"{start.AddSeconds(seconds):O}\",\"label\":\"{label}\",\"confidence\":{confidence}}}";
        Line("salad-a", "{not json");
        Line("salad-a", Event(21, "juggle"));
        Line("salad-a", Event(22, "add_oil", "NaN"));
        Line("salad-a", Event(18, "add_oil"));
        Line("salad-a", Event(4, "add_oil"));
        await Kcat.Run(lines.ToString(), "-b", bootstrap, "-P", "-t", kafka.InputTopics[0], "-K\t");

        var model = AnticipatorFolder.Load(checkpoint, TimeSpan.FromSeconds(configuration.Pipeline.ActivitySeconds));
        using var telemetry = new PipelineTelemetry();
        using (var service = new StreamingService(kafka, bootstrap, model, configuration.Pipeline, telemetry, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((service.Published < 20 || service.DeadLettered < 5) && DateTime.UtcNow < deadline) await Task.Delay(50);
            await Task.Delay(500);
            Assert.Equal(20, service.Published);
            Assert.Equal(5, service.DeadLettered);
        }

        var outputs = (await Kcat.Run(null, "-b", bootstrap, "-C", "-t", kafka.OutputTopic, "-e", "-o", "beginning", "-f", "%k\t%s\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(20, outputs.Length);
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "schemas", "action-prediction.v1.schema.json"));
        var predictions = new List<ActionPrediction>();
        foreach (var line in outputs)
        {
            var (key, json) = (line[..line.IndexOf('\t', StringComparison.Ordinal)], line[(line.IndexOf('\t', StringComparison.Ordinal) + 1)..]);
            var errors = schema.Validate(json);
            Assert.True(errors.Count == 0, $"output does not match the schema: {string.Join("; ", errors)}\n{json}");
            var prediction = ActionPredictionJson.Deserialize(Encoding.UTF8.GetBytes(json));
            Assert.Equal(key, prediction.Stream);
            Assert.StartsWith("actionllm@", prediction.ModelId, StringComparison.Ordinal);
            predictions.Add(prediction);
        }
        foreach (var stream in new[] { "salad-a", "salad-b" })
        {
            var mine = predictions.Where(p => p.Stream == stream).OrderBy(p => p.WindowId).ToList();
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), mine.Select(p => p.WindowId));
            // After the first windows, every prediction anticipates segments that start where the window ends.
            Assert.All(mine.Skip(2), p =>
            {
                Assert.NotEmpty(p.Future);
                Assert.Equal(p.WindowEnd, p.Future[0].Start);
                Assert.Equal(p.Recognized.Label, p.Future[0].Label);
            });
            Assert.Equal(mine[^1].Recognized.Label, mine[^1].Past[^1].Label);
        }

        var dead = (await Kcat.Run(null, "-b", bootstrap, "-C", "-t", kafka.InputTopics[0] + ".dlq", "-e", "-o", "beginning", "-f", "%h\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["not-json", "unknown-label", "non-finite", "duplicate", "late"], dead.Select(d => d.Split("dlq.reason=")[1].Split(',')[0]));
    }
}
