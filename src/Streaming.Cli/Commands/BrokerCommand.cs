using System.CommandLine;
using System.Runtime.InteropServices;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.DeadLettering;
using Streaming.Kafka.Embedded;
using Streaming.Kafka.Topics;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming broker</c>: a standalone embedded Kafka broker for kcat, the samples and other programs.</summary>
public static class BrokerCommand
{
    public static Command Create()
    {
        var brokers = new Option<int>("--brokers") { Description = "Brokers in the cluster (ids 1..N).", DefaultValueFactory = _ => 1 };
        var topics = new Option<string>("--topics") { Description = "Comma-separated topics to create (default: Streaming's input, dead-letter and output topics).", DefaultValueFactory = _ => DefaultTopics() };
        var partitions = new Option<int>("--partitions") { Description = "Partitions per topic.", DefaultValueFactory = _ => new KafkaSettings().EmbeddedPartitions };
        brokers.Validators.Add(result =>
        {
            if (result.GetValue(brokers) < 1) result.AddError($"--brokers must be at least 1, got {result.GetValue(brokers)}.");
        });
        partitions.Validators.Add(result =>
        {
            if (result.GetValue(partitions) < 1) result.AddError($"--partitions must be at least 1, got {result.GetValue(partitions)}.");
        });
        topics.Validators.Add(result =>
        {
            foreach (var topic in Split(result.GetValue(topics) ?? ""))
            {
                if (!TopicName.IsValid(topic)) result.AddError($"--topics: '{topic}' is not a valid Kafka topic name (1 to {TopicName.MaxLength} characters from a-z, A-Z, 0-9, '.', '_', '-').");
            }
        });
        var command = new Command("broker", "Runs librdkafka's mock Kafka cluster in this process, prints its bootstrap address and serves until Ctrl+C. State is in memory only.")
        {
            brokers, topics, partitions,
        };
        command.SetAction((parse, cancellationToken) =>
            Run(parse.GetValue(brokers), Split(parse.GetValue(topics) ?? ""), parse.GetValue(partitions), cancellationToken));
        return command;
    }

    static async Task<int> Run(int brokerCount, IReadOnlyList<string> topics, int partitions, CancellationToken cancellationToken)
    {
        using var broker = new EmbeddedBroker(brokerCount);
        foreach (var topic in topics) broker.CreateTopic(topic, partitions);
        // The address comes first and alone, so that scripts can read it with `head -1`.
        Console.WriteLine(broker.BootstrapServers);
        Console.WriteLine($"{brokerCount} broker(s); topics ({partitions} partitions each): {(topics.Count == 0 ? "none" : string.Join(", ", topics))}");
        Console.WriteLine($"try: kcat -b {broker.BootstrapServers} -L    (Ctrl+C stops the broker)");
        // Stop on Ctrl+C or SIGTERM (docker stop) with the broker disposed, whether or not the parser was invoked asynchronously.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("broker stopped");
        }
        return 0;
    }

    static string DefaultTopics()
    {
        var settings = new KafkaSettings();
        return string.Join(',', settings.InputTopics.SelectMany(t => new[] { t, StreamingTopics.DeadLettersOf(t) }).Append(settings.OutputTopic));
    }

    static string[] Split(string topics) => topics.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
