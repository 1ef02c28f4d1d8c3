using System.CommandLine;
using Streaming.Cli.Commands;

var root = new RootCommand("streaming: real-time human-action recognition and long-term action anticipation over Kafka streams.");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(PublishCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(BrokerCommand.Create());
root.Subcommands.Add(LmCommand.Create());
try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (Environment.GetEnvironmentVariable("STREAMING_DEBUG") is not "1")
{
    // Commands throw with messages written for the user (what is wrong and what to do); the stack helps only us.
    Console.Error.WriteLine($"streaming: {e.Message}");
    Console.Error.WriteLine("(set STREAMING_DEBUG=1 for the stack trace)");
    return 1;
}
