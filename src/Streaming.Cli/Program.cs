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
return root.Parse(args).Invoke();
